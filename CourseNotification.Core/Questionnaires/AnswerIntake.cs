using CourseNotification.Reports;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Questionnaires;

/// <summary>Where a questionnaire link stands when it is opened.</summary>
public enum LinkState
{
    Open,
    Answered,
    Expired,
}

/// <summary>An opened link: its invitation, the questionnaire to show, and whether it can still be answered.</summary>
public sealed record OpenedLink(string Token, Invitation Invitation, QuestionnaireDefinition Definition, LinkState State);

/// <summary>What became of a submission.</summary>
public enum SubmissionOutcome
{
    Accepted,
    /// <summary>Nothing stored: the problems go back to the learner, with their input.</summary>
    Invalid,
    AlreadyAnswered,
    Expired,
}

/// <summary>
/// Questionnaire answers from their links: opens a link (unknown, open, answered, expired), checks a
/// submission, and stores it once per invitation, its free texts without the course's people. The answer is written before the invitation is marked
/// answered, so an accepted answer is never lost; when two submissions race, the one that loses the mark
/// takes its answer back, so there is still one per invitation.
/// </summary>
public sealed class AnswerIntake(
    InvitationStore invitations,
    QuestionnaireCatalog catalog,
    AnswerStore answers,
    CommentScrubber scrubber,
    LedgerStore ledger,
    SignalSettingsProvider settings,
    TimeProvider clock,
    ILogger<AnswerIntake> logger)
{
    /// <summary>The link's invitation and questionnaire, or null when no such link was ever issued.</summary>
    public async Task<OpenedLink?> OpenAsync(string token, CancellationToken cancellationToken)
    {
        if (await invitations.FindAsync(token, cancellationToken) is not { } invitation
            || await catalog.GetAsync(invitation.Questionnaire, cancellationToken) is not { } definition)
        {
            return null;
        }
        var answered = invitation.Test
            ? invitation.TestAnsweredAt is not null
            : await ledger.ExistsAsync(AnsweredKey(invitation), cancellationToken);
        var state = answered ? LinkState.Answered : clock.GetUtcNow() >= invitation.ExpiresAt ? LinkState.Expired : LinkState.Open;
        return new OpenedLink(token, invitation, definition, state);
    }

    public async Task<(SubmissionOutcome Outcome, CheckedAnswers? Checked)> SubmitAsync(
        OpenedLink link, IReadOnlyDictionary<string, IReadOnlyList<string>> form, CancellationToken cancellationToken)
    {
        switch (link.State)
        {
            case LinkState.Answered:
                return (SubmissionOutcome.AlreadyAnswered, null);
            case LinkState.Expired:
                return (SubmissionOutcome.Expired, null);
        }
        var invitation = link.Invitation;
        var checkedAnswers = AnswerValidation.Check(link.Definition, form, invitation.Lang);
        if (!checkedAnswers.IsValid)
        {
            return (SubmissionOutcome.Invalid, checkedAnswers);
        }
        var now = clock.GetUtcNow();
        // Answers are dated by the site's day, as report periods are.
        var today = Zones.DayOf(now, settings.Platform.SiteZone);
        // Free texts are kept without the people of the course in them: an anonymous answer stays anonymous.
        var values = await scrubber.ScrubTextsAsync(invitation.CourseId, link.Definition, checkedAnswers.Values, cancellationToken);
        var stored = await answers.AddAsync(
            new StoredAnswer(
                invitation.CourseId, invitation.Campaign, invitation.Questionnaire, invitation.Lang, today, invitation.Test,
                link.Definition.Anonymous || invitation.Test ? null : invitation.LearnerId, values),
            cancellationToken);
        var first = invitation.Test
            ? await invitations.TryMarkTestAnsweredAsync(link.Token, invitation, now, cancellationToken)
            : await ledger.TryRecordOnceAsync(AnsweredKey(invitation), today, cancellationToken);
        if (!first)
        {
            await answers.DeleteAsync(stored, CancellationToken.None);
            return (SubmissionOutcome.AlreadyAnswered, null);
        }
        logger.LogInformation(
            "Answer to {Questionnaire} stored for campaign {Campaign} of course {CourseId}{Test}",
            invitation.Questionnaire, invitation.Campaign, invitation.CourseId, invitation.Test ? " (test)" : "");
        return (SubmissionOutcome.Accepted, checkedAnswers);
    }

    /// <summary>The ledger row that records the invitation as answered (it stops the reminders).</summary>
    private static SendKey AnsweredKey(Invitation invitation) =>
        new(invitation.CourseId, invitation.LearnerId, QuestionnaireSignals.Answered(invitation.Campaign), invitation.Anchor, 0);
}
