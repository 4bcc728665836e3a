using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Dispatch;

/// <summary>A mail written with settings not saved yet: for whom, their language, and the engine's word on the send when a real learner was chosen.</summary>
public sealed record DraftMail(RenderedMail Mail, string LearnerName, bool Sample, Decision? Decision);

/// <summary>
/// The settings editor's preview: a learner's mail for a signal as it would go out at an instant, written
/// with the course's settings as they stand in the editor (not saved), by the same reader and composer as
/// the real send (<see cref="SendContextReader"/>, <see cref="MailComposer"/>), or for a made-up learner
/// of the course when none is chosen (or the chosen one is not enrolled).
/// </summary>
public sealed class DraftMails(SendContextReader contexts, MailComposer composer, SignalSettingsProvider settingsProvider, IOptions<PlatformOptions> platform)
{
    /// <summary>
    /// The mail, or null with the problems of the draft's texts for that signal in the mail's language
    /// (a text that does not compile cannot be previewed; the editor shows why next to it, in <paramref name="words"/>).
    /// </summary>
    public async Task<(DraftMail? Mail, IReadOnlyList<string> Problems)> PreviewAsync(
        Course course, CourseSettings draft, string signal, long? learnerId, string sampleLang, DateTimeOffset at, ProblemWords words, CancellationToken cancellationToken)
    {
        var settings = settingsProvider.Platform.For(draft);
        var context = learnerId is { } id ? await contexts.ReadAsync(course.Id, id, cancellationToken) : null;
        var learner = context?.Learner;
        var lang = learner is null ? sampleLang : composer.LanguageOf(learner);
        if (draft.Templates?.GetValueOrDefault(signal)?.GetValueOrDefault(lang) is { } text && MailRenderer.Problems(signal, lang, text, words).ToList() is { Count: > 0 } problems)
        {
            return (null, problems);
        }
        if (context is not null && learner is not null)
        {
            context = context with { Settings = settings };
            var decision = SignalEngine.Evaluate(context.Course, context.Snapshot, context.History, settings, at, signal);
            var (mail, _) = await composer.ComposeAsync(context, learner, signal, at, null, cancellationToken);
            return (new DraftMail(mail, $"{learner.FirstName} {learner.LastName}".Trim(), false, decision), []);
        }
        var sample = Sample(course, signal, sampleLang, at);
        var unsubscribe = $"{platform.Value.PublicUrl.TrimEnd('/')}/u/(link-made-when-sent)";
        var rendered = composer.Compose(new SendContext(course, sample.Snapshot, [], sample.Learner, settings), sample.Learner, signal, at, null, unsubscribe);
        return (new DraftMail(rendered, $"{sample.Learner.FirstName} {sample.Learner.LastName}", true, null), []);
    }

    /// <summary>
    /// A learner of the course made up for the preview: enrolled from the course's start (or ten days
    /// ago), to its end (or sixty days after), who came the day after the start and, for the completion
    /// mail, completed yesterday.
    /// </summary>
    private (Learner Learner, EnrolmentSnapshot Snapshot) Sample(Course course, string signal, string lang, DateTimeOffset at)
    {
        var start = course.StartDate ?? at.AddDays(-10);
        var end = course.EndDate ?? start.AddDays(60);
        var learner = new Learner
        {
            Id = 0, Username = "camille.martin", Email = "camille.martin@example.org", FirstName = "Camille", LastName = "Martin",
            Lang = lang, TimeZone = platform.Value.TimeZone,
        };
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = course.Id,
            LearnerId = 0,
            Enrolments = [new Enrolment { Id = 0, Start = start, End = end }],
            FirstAccess = start.AddDays(1),
            LastAccess = start.AddDays(1),
            CompletedAt = signal == SignalKeys.Completed ? at.AddDays(-1) : null,
            Profile = LearnerProfile.Of(learner),
        };
        return (learner, snapshot);
    }
}
