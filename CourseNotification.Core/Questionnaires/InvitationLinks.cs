using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Options;

namespace CourseNotification.Questionnaires;

/// <summary>
/// Issues the questionnaire link of a campaign's mail: a fresh token per mail, bound to the invitation
/// (the campaign's anchor), expiring <see cref="Campaign.LinkValidity"/> after the invitation went out,
/// so a reminder's link lives exactly as long as the invitation's.
/// </summary>
public sealed class InvitationLinks(InvitationStore invitations, QuestionnaireCatalog catalog, IOptions<PlatformOptions> platform)
{
    /// <summary>The link for a send of a campaign's signal, or null when the signal is not a campaign's.</summary>
    public async Task<QuestionnaireLink?> ForSendAsync(
        SendKey key, SignalSettings settings, IReadOnlyList<SendRecord> history, string lang, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (QuestionnaireSignals.Parse(key.Signal) is not { } signal
            || settings.Campaigns.FirstOrDefault(c => c.Id == signal.Campaign) is not { } campaign)
        {
            return null;
        }
        var invitation = QuestionnaireSignals.Invitation(campaign.Id);
        var invitedAt = signal.Reminder == 0
            ? now
            : history.Where(r => r.Key.Signal == invitation && r.State == SendState.Sent).Select(r => r.At).DefaultIfEmpty(now).Max();
        return await IssueAsync(
            new Invitation(key.CourseId, key.LearnerId, campaign.Id, key.Anchor, campaign.Questionnaire, lang, invitedAt + campaign.LinkValidity, Test: false),
            cancellationToken);
    }

    /// <summary>Stores a token for the invitation and returns its link.</summary>
    public async Task<QuestionnaireLink> IssueAsync(Invitation invitation, CancellationToken cancellationToken)
    {
        var definition = await catalog.GetAsync(invitation.Questionnaire, cancellationToken)
            ?? throw new InvalidOperationException($"No questionnaire '{invitation.Questionnaire}'.");
        var token = await invitations.IssueAsync(invitation, cancellationToken);
        return new QuestionnaireLink(
            $"{platform.Value.PublicUrl.TrimEnd('/')}/q/{token}", definition.Title[invitation.Lang], invitation.ExpiresAt, definition.Anonymous);
    }
}
