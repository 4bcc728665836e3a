using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Dispatch;

/// <summary>Everything a decision and a mail about one learner in one course are made from, read at one moment.</summary>
public sealed record SendContext(Course Course, EnrolmentSnapshot Snapshot, IReadOnlyList<SendRecord> History, Learner? Learner, SignalSettings Settings);

/// <summary>
/// Reads a <see cref="SendContext"/>: the snapshot, the learner's history and the learner at once, the
/// course (a burst of sends for one course reads it once) and its settings. The dispatcher, the mail
/// preview and the test sends read through it, so they see the same thing.
/// </summary>
public sealed class SendContextReader(CourseStore courses, SnapshotStore snapshots, LearnerStore learners, LedgerStore ledger, SignalSettingsProvider settingsProvider)
{
    private readonly ShortCache<long, Course?> _courses = new(SignalSettingsProvider.CacheLifetime);

    /// <summary>The context, or null when the course or the learner's enrolment in it is not known.</summary>
    public async Task<SendContext?> ReadAsync(long courseId, long learnerId, CancellationToken cancellationToken)
    {
        var snapshotRead = snapshots.GetAsync(courseId, learnerId, cancellationToken);
        var historyRead = ledger.ReadLearnerAsync(courseId, learnerId, cancellationToken);
        var learnerRead = learners.GetAsync(learnerId, cancellationToken);
        var course = await _courses.GetAsync(courseId, id => courses.GetAsync(id, cancellationToken));
        await Task.WhenAll(snapshotRead, historyRead, learnerRead);
        if (course is null || snapshotRead.Result is not { } snapshot)
        {
            return null;
        }
        return new SendContext(course, snapshot, historyRead.Result, learnerRead.Result, await settingsProvider.ForAsync(course, cancellationToken));
    }

    public async Task<bool> CourseExistsAsync(long courseId, CancellationToken cancellationToken) =>
        await _courses.GetAsync(courseId, id => courses.GetAsync(id, cancellationToken)) is not null;
}

/// <summary>
/// Writes a learner's mail for a signal as of an instant: their language, zone, the course's texts, the
/// unsubscribe link and, for a questionnaire's mails, its link. One composer for what goes out, what an
/// administrator previews and what a test sends.
/// </summary>
public sealed class MailComposer(MailRenderer renderer, OptOut optOut, IOptions<EmailOptions> email)
{
    /// <summary>The language the learner's mails are written in.</summary>
    public string LanguageOf(Learner learner) => renderer.LanguageOf(learner);

    public async Task<(RenderedMail Mail, string Unsubscribe)> ComposeAsync(
        SendContext context, Learner learner, string signal, DateTimeOffset at, QuestionnaireLink? questionnaire, CancellationToken cancellationToken)
    {
        var unsubscribe = await optOut.LinkAsync(learner.Id, cancellationToken);
        return (Compose(context, learner, signal, at, questionnaire, unsubscribe), unsubscribe);
    }

    /// <summary>The same with the unsubscribe link given (none for a made-up learner).</summary>
    public RenderedMail Compose(SendContext context, Learner learner, string signal, DateTimeOffset at, QuestionnaireLink? questionnaire, string? unsubscribe) =>
        renderer.Render(signal, new MailContext(context.Course, learner, new LearnerFacts(context.Course, context.Snapshot, context.Settings, at), unsubscribe, questionnaire));

    /// <summary>A mail to the learner, with the ids of its send (the same on every try) and its unsubscribe headers.</summary>
    public OutgoingMail ToLearner(Learner learner, RenderedMail mail, string unsubscribe, SendKey key, DateTimeOffset firstTriedAt) => new(
        learner.Email, $"{learner.FirstName} {learner.LastName}".Trim(), mail.Subject, mail.Html, mail.Text,
        NotificationDispatcher.MessageIdOf(key, email.Value.From), mail.Language, NotificationDispatcher.OperationIdOf(key), firstTriedAt,
        OutgoingMail.UnsubscribeHeaders(unsubscribe));

    /// <summary>A test of a mail to an administrator's address: subject marked, ids of its own, no unsubscribe headers.</summary>
    public OutgoingMail ToTester(string address, RenderedMail mail, DateTimeOffset now)
    {
        var operation = Guid.NewGuid();
        return new OutgoingMail(address, "", "[Test] " + mail.Subject, mail.Html, mail.Text,
            OutgoingMail.MessageIdFor(operation.ToString("N"), email.Value.From), mail.Language, operation, now);
    }
}
