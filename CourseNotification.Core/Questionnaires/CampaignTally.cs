using CourseNotification.Signals;

namespace CourseNotification.Questionnaires;

/// <summary>
/// What one questionnaire send adds to its campaign's count for the day it went out (the site's day):
/// an invitation, or the first reminder of an invitation. Later reminders of the same invitation add
/// nothing, so "reminded" counts invitations, not mails. Reports read these counts instead of every send.
/// </summary>
public sealed record CampaignTally(string Questionnaire, string Campaign, DateOnly Day, bool Reminder)
{
    /// <summary>What a send that went out at <paramref name="sentAt"/> counts for, given the course's campaigns and the learner's history; null when it counts nowhere.</summary>
    public static CampaignTally? For(SendKey key, IEnumerable<Campaign> campaigns, IEnumerable<SendRecord> history, DateTimeOffset sentAt, TimeZoneInfo siteZone)
    {
        if (QuestionnaireSignals.Parse(key.Signal) is not { } sent || campaigns.FirstOrDefault(c => c.Id == sent.Campaign) is not { } campaign)
        {
            return null;
        }
        var day = Zones.DayOf(sentAt, siteZone);
        if (sent.Reminder == 0)
        {
            return new CampaignTally(campaign.Questionnaire, sent.Campaign, day, Reminder: false);
        }
        var remindedBefore = history.Any(r =>
            r.State == SendState.Sent && r.Key != key && r.Key.Anchor == key.Anchor
            && QuestionnaireSignals.Parse(r.Key.Signal) is { Reminder: > 0 } earlier && earlier.Campaign == sent.Campaign);
        return remindedBefore ? null : new CampaignTally(campaign.Questionnaire, sent.Campaign, day, Reminder: true);
    }
}

/// <summary>A campaign's counts for one day in one course (or part of them): invitations sent, and invitations reminded for the first time.</summary>
public sealed record CampaignDay(string Questionnaire, string Campaign, DateOnly Day, int Invited, int Reminded);
