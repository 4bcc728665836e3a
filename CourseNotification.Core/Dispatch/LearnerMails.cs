using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Dispatch;

/// <summary>A learner's mail for a signal as it would go out at an instant, with the engine's word on it.</summary>
public sealed record PreviewedMail(long CourseId, long LearnerId, string Signal, Decision Decision, RenderedMail Mail);

/// <summary>
/// The administrator's look at one learner's mail: rendered with the learner's own data, language, time
/// zone and the course's texts, as of an instant, without sending or changing anything (a questionnaire
/// link is shown as a placeholder: real links are made when the mail goes out); and the same mail sent
/// as a test to an administrator's address, outside the ledger.
/// </summary>
public sealed class LearnerMails(
    SendContextReader contexts,
    MailComposer composer,
    QuestionnaireCatalog catalog,
    IMailTransport transport,
    IOptions<PlatformOptions> platform,
    TimeProvider clock,
    ILogger<LearnerMails> logger)
{
    public async Task<(PreviewedMail? Mail, Refusal? Refusal)> PreviewAsync(long courseId, long learnerId, string signal, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var context = await contexts.ReadAsync(courseId, learnerId, cancellationToken);
        if (context is null || context.Learner is not { } learner)
        {
            return (null, context is null && !await contexts.CourseExistsAsync(courseId, cancellationToken)
                ? new Refusal(404, "id", $"Course {courseId} is not known here.")
                : new Refusal(404, "learnerId", $"Learner {learnerId} is not known in course {courseId}."));
        }
        var settings = context.Settings;
        var campaign = QuestionnaireSignals.Parse(signal) is { } q ? settings.Campaigns.FirstOrDefault(c => c.Id == q.Campaign && q.Reminder <= c.ReminderDays.Count) : null;
        if (SignalKeys.IndexOf(signal) < 0 && campaign is null)
        {
            return (null, new Refusal(404, "signal", $"'{signal}' is not a signal of course {courseId} ({string.Join(", ", SignalKeys.All.Concat(settings.Campaigns.SelectMany(c => c.Signals)))})."));
        }
        var decision = SignalEngine.Evaluate(context.Course, context.Snapshot, context.History, settings, at, signal)!.Value;
        var questionnaire = campaign is null ? null : await PlaceholderLinkAsync(campaign, composer.LanguageOf(learner), at, cancellationToken);
        var (mail, _) = await composer.ComposeAsync(context, learner, signal, at, questionnaire, cancellationToken);
        return (new PreviewedMail(courseId, learnerId, signal, decision, mail), null);
    }

    /// <summary>Sends the learner's mail for the signal, as of now, to <paramref name="address"/> (subject marked [Test]); null when sent.</summary>
    public async Task<Refusal?> SendTestAsync(long courseId, long learnerId, string signal, string address, CancellationToken cancellationToken)
    {
        if (!EmailAddresses.IsBare(address))
        {
            return new Refusal(400, "email", "an email address is expected.");
        }
        var now = clock.GetUtcNow();
        var (preview, refusal) = await PreviewAsync(courseId, learnerId, signal, now, cancellationToken);
        if (preview is null)
        {
            return refusal;
        }
        if (await transport.TrySendAsync(composer.ToTester(address, preview.Mail, now), logger, cancellationToken) is { } failed)
        {
            return failed;
        }
        logger.LogInformation("Test of {Signal} for learner {LearnerId} in course {CourseId} sent to an administrator", signal, learnerId, courseId);
        return null;
    }

    private async Task<QuestionnaireLink> PlaceholderLinkAsync(Campaign campaign, string lang, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var definition = await catalog.GetAsync(campaign.Questionnaire, cancellationToken);
        return new QuestionnaireLink(
            $"{platform.Value.PublicUrl.TrimEnd('/')}/q/(link-made-when-sent)", definition?.Title.GetValueOrDefault(lang) ?? campaign.Questionnaire,
            at + campaign.LinkValidity, definition?.Anonymous ?? true);
    }
}
