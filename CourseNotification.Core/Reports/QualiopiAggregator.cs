using System.Collections.Concurrent;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Options;

namespace CourseNotification.Reports;

/// <summary>
/// The figures of a Qualiopi report: the course list read once, then for each course of the scope (a few
/// at a time) one range read, page by page, over this period and the previous one, of its answers and
/// its campaigns' daily counts of invitations and reminders (kept with the answers); test answers never
/// count. Days are the site's.
/// </summary>
public sealed class QualiopiAggregator(
    CourseStore courses,
    AnswerStore answers,
    QuestionnaireCatalog catalog,
    IOptions<PlatformOptions> platform,
    TimeProvider clock)
{
    private const int CoursesAtOnce = 4;

    /// <summary>The courses a scope covers (those it names that exist, or every course), with their names, in one read of the course list.</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> CoursesAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var names = await courses.FullNamesAsync(cancellationToken);
        var ids = scope.Courses.Count > 0 ? scope.Courses.Where(names.ContainsKey) : names.Keys.Order();
        return [.. ids.Select(id => (id, names[id]))];
    }

    /// <summary>Builds the report; <paramref name="progress"/> hears the number of courses done.</summary>
    public async Task<QualiopiReport> BuildAsync(ReportScope scope, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var definition = await catalog.GetAsync(scope.Questionnaire, cancellationToken)
            ?? throw new ArgumentException($"No questionnaire '{scope.Questionnaire}'.", nameof(scope));
        var scoped = await CoursesAsync(scope, cancellationToken);
        var results = new ConcurrentDictionary<long, CourseResult>();
        var done = 0;
        await Parallel.ForEachAsync(scoped, new ParallelOptions { MaxDegreeOfParallelism = CoursesAtOnce, CancellationToken = cancellationToken }, async (course, ct) =>
        {
            results[course.Id] = await CourseAsync(course.Id, course.Name, scope, definition, ct);
            progress?.Report(Interlocked.Increment(ref done));
        });

        var ordered = scoped.Select(course => results[course.Id]).ToList();
        var (current, previous) = (new AnswerTally(definition), new AnswerTally(definition));
        foreach (var result in ordered)
        {
            current.Add(result.Current);
            previous.Add(result.Previous);
        }
        var lang = scope.Lang;
        return new QualiopiReport(
            platform.Value.SiteName,
            scope,
            definition.Title[lang],
            definition.Kind,
            clock.GetUtcNow(),
            [.. ordered.Select(r => new CourseRef(r.Id, r.Name))],
            Sum(ordered.Select(r => r.Participation), current.Answers),
            current.Headline(),
            Sum(ordered.Select(r => r.PreviousParticipation), previous.Answers),
            previous.Headline(),
            current.Questions(lang),
            [.. ordered
                .Select(r => new CourseFigures(r.Id, r.Name, r.Participation with { Answered = r.Current.Answers }, r.Current.Headline(), r.Current.WorstFirst(lang)))
                .OrderBy(c => c.Headline.SatisfactionRate ?? double.MaxValue).ThenBy(c => c.Name, StringComparer.CurrentCulture)],
            Anonymised(ordered));
    }

    private static Participation Sum(IEnumerable<Participation> parts, int answered)
    {
        var (invited, reminded) = (0, 0);
        foreach (var part in parts)
        {
            invited += part.Invited;
            reminded += part.Reminded;
        }
        return new Participation(invited, reminded, answered);
    }

    private sealed record CourseResult(
        long Id, string Name, AnswerTally Current, AnswerTally Previous, Participation Participation, Participation PreviousParticipation,
        IReadOnlyList<Comment> Comments);

    /// <summary>Every comment of the scope, addresses and phone numbers masked again (names of the course's people were taken out when each answer was stored).</summary>
    private static List<Comment> Anonymised(IReadOnlyList<CourseResult> courses)
    {
        var comments = courses.SelectMany(c => c.Comments).ToList();
        var texts = CommentScrubber.Scrub([.. comments.Select(c => c.Text)], new HashSet<string>());
        return [.. comments.Select((comment, i) => comment with { Text = texts[i] })];
    }

    /// <summary>One course's figures over this period and the previous one, from one range read of its answers and campaign counts.</summary>
    private async Task<CourseResult> CourseAsync(long courseId, string name, ReportScope scope, QuestionnaireDefinition definition, CancellationToken cancellationToken)
    {
        var previousScope = scope.Previous();
        var (current, previous) = (new AnswerTally(definition), new AnswerTally(definition));
        var counts = new List<CampaignDay>();
        var texts = new List<(DateOnly Day, string Question, string Text)>();
        var textQuestions = definition.Questions.Where(q => q.Type == QuestionType.Text).ToList();
        bool Asked(string questionnaire, string campaign) => questionnaire == scope.Questionnaire && (scope.Campaign is null || campaign == scope.Campaign);
        await foreach (var page in answers.ReadPeriodAsync(courseId, previousScope.From, scope.To, cancellationToken))
        {
            counts.AddRange(page.Counts.Where(c => Asked(c.Questionnaire, c.Campaign)));
            foreach (var answer in page.Answers)
            {
                if (answer.Test || !Asked(answer.Questionnaire, answer.Campaign))
                {
                    continue;
                }
                if (answer.SubmittedOn < scope.From)
                {
                    previous.Add(answer);
                    continue;
                }
                current.Add(answer);
                foreach (var question in textQuestions)
                {
                    if (answer.Values.GetValueOrDefault(question.Id) is [var text, ..])
                    {
                        texts.Add((answer.SubmittedOn, question.Label[scope.Lang], text));
                    }
                }
            }
        }
        var (participation, previousParticipation) = (Count(counts, scope), Count(counts, previousScope));
        var comments = texts.Select(t => new Comment(courseId, name, t.Day, t.Question, t.Text)).ToList();
        return new CourseResult(
            courseId, name, current, previous, participation with { Answered = current.Answers }, previousParticipation with { Answered = previous.Answers },
            comments);
    }

    /// <summary>Invitations sent within the period, and how many invitations got their first reminder within it.</summary>
    private static Participation Count(IReadOnlyList<CampaignDay> days, ReportScope period)
    {
        var (invited, reminded) = (0, 0);
        foreach (var day in days)
        {
            if (day.Day >= period.From && day.Day <= period.To)
            {
                invited += day.Invited;
                reminded += day.Reminded;
            }
        }
        return new Participation(invited, reminded, 0);
    }
}
