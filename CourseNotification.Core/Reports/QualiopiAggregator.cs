using System.Collections.Concurrent;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Options;

namespace CourseNotification.Reports;

/// <summary>
/// The figures of a Qualiopi report, from the stored answers and the ledger: for each course of the
/// scope (a few at a time), one range read of its answers over this period and the previous one, page by
/// page, and one read of its campaigns' daily counts of invitations and reminders; test answers never
/// count. Days are the site's.
/// </summary>
public sealed class QualiopiAggregator(
    CourseStore courses,
    AnswerStore answers,
    LedgerStore ledger,
    SignalSettingsProvider settings,
    QuestionnaireCatalog catalog,
    CommentScrubber scrubber,
    IOptions<PlatformOptions> platform,
    TimeProvider clock)
{
    private const int CoursesAtOnce = 4;

    /// <summary>The courses a scope covers: those it names, or every course.</summary>
    public async Task<IReadOnlyList<long>> CourseIdsAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        if (scope.Courses.Count > 0)
        {
            return scope.Courses;
        }
        var ids = new List<long>();
        await foreach (var page in courses.ListIdPagesAsync(500, cancellationToken))
        {
            ids.AddRange(page);
        }
        return ids;
    }

    /// <summary>Builds the report; <paramref name="progress"/> hears the number of courses done.</summary>
    public async Task<QualiopiReport> BuildAsync(ReportScope scope, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var definition = await catalog.GetAsync(scope.Questionnaire, cancellationToken)
            ?? throw new ArgumentException($"No questionnaire '{scope.Questionnaire}'.", nameof(scope));
        var ids = await CourseIdsAsync(scope, cancellationToken);
        var results = new ConcurrentDictionary<long, CourseResult>();
        var done = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = CoursesAtOnce, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            if (await CourseAsync(id, scope, definition, ct) is { } result)
            {
                results[id] = result;
            }
            progress?.Report(Interlocked.Increment(ref done));
        });

        var ordered = ids.Where(results.ContainsKey).Select(id => results[id]).ToList();
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
        IReadOnlyList<Comment> Comments, IReadOnlyCollection<string> Names);

    /// <summary>Every comment of the scope, without the names of anyone enrolled in any of its courses (a trainer of one course may be named in another's).</summary>
    private static List<Comment> Anonymised(IReadOnlyList<CourseResult> courses)
    {
        var names = courses.SelectMany(c => c.Names).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var comments = courses.SelectMany(c => c.Comments).ToList();
        var texts = CommentScrubber.Scrub([.. comments.Select(c => c.Text)], names);
        return [.. comments.Select((comment, i) => comment with { Text = texts[i] })];
    }

    private async Task<CourseResult?> CourseAsync(long courseId, ReportScope scope, QuestionnaireDefinition definition, CancellationToken cancellationToken)
    {
        if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
        {
            return null;
        }
        var previousScope = scope.Previous();
        // The campaigns' daily counts, the course's settings and its people's names are read while the answers stream in.
        var daysTask = ledger.CampaignDaysAsync(courseId, cancellationToken);
        var settingsTask = settings.ForAsync(course, cancellationToken);
        var namesTask = scrubber.NamesAsync(courseId, cancellationToken);
        var (current, previous) = (new AnswerTally(definition), new AnswerTally(definition));
        var campaigns = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<(DateOnly Day, string Question, string Text)>();
        var textQuestions = definition.Questions.Where(q => q.Type == QuestionType.Text).ToList();
        await foreach (var page in answers.ListPagesAsync(courseId, previousScope.From, scope.To, cancellationToken))
        {
            foreach (var answer in page)
            {
                if (answer.Test || answer.Questionnaire != scope.Questionnaire || (scope.Campaign is { } only && answer.Campaign != only))
                {
                    continue;
                }
                campaigns.Add(answer.Campaign);
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

        // Invitations and reminders of the campaigns that ask this questionnaire (those configured now, and those answers name).
        foreach (var campaign in (await settingsTask).Campaigns.Where(c => c.Questionnaire == scope.Questionnaire && (scope.Campaign is null || c.Id == scope.Campaign)))
        {
            campaigns.Add(campaign.Id);
        }
        var days = await daysTask;
        var (participation, previousParticipation) = (Count(days, campaigns, scope), Count(days, campaigns, previousScope));

        var comments = texts.Select(t => new Comment(courseId, course.FullName, t.Day, t.Question, t.Text)).ToList();
        return new CourseResult(
            courseId, course.FullName, current, previous, participation with { Answered = current.Answers }, previousParticipation with { Answered = previous.Answers },
            comments, await namesTask);
    }

    /// <summary>Invitations sent within the period, and how many invitations got their first reminder within it.</summary>
    private static Participation Count(IReadOnlyList<CampaignDay> days, HashSet<string> campaigns, ReportScope period)
    {
        var (invited, reminded) = (0, 0);
        foreach (var day in days)
        {
            if (day.Day >= period.From && day.Day <= period.To && campaigns.Contains(day.Campaign))
            {
                invited += day.Invited;
                reminded += day.Reminded;
            }
        }
        return new Participation(invited, reminded, 0);
    }
}
