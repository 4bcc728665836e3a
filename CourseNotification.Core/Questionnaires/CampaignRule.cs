using CourseNotification.Signals;

namespace CourseNotification.Questionnaires;

/// <summary>
/// One signal of a campaign, decided from the same facts, calendar and ledger as the built-in signals:
/// the invitation (reminder 0) on the trigger's local day plus the delay (the trigger: the course's
/// completion, the access end, or the first completion of one activity recorded on the snapshot), with the usual catch-up window;
/// reminder n the given number of days after the invitation actually went out, to those who have not
/// answered, each giving way to the next one like the end reminders. One invitation per campaign and
/// enrolment: whatever the anchor, a recorded send of the signal speaks for it.
/// </summary>
public sealed class CampaignRule : ISignalRule
{
    private readonly Campaign _campaign;
    private readonly int _reminder;
    private readonly string _invitation;
    private readonly string _answered;
    private readonly string? _next;

    public CampaignRule(Campaign campaign, int reminder)
    {
        _campaign = campaign;
        _reminder = reminder;
        _invitation = QuestionnaireSignals.Invitation(campaign.Id);
        _answered = QuestionnaireSignals.Answered(campaign.Id);
        _next = reminder < campaign.ReminderDays.Count ? QuestionnaireSignals.Reminder(campaign.Id, reminder + 1) : null;
        Signal = reminder == 0 ? _invitation : QuestionnaireSignals.Reminder(campaign.Id, reminder);
    }

    public string Signal { get; }

    /// <summary>The rules of a campaign: its invitation, then each reminder.</summary>
    public static IEnumerable<CampaignRule> For(Campaign campaign) =>
        Enumerable.Range(0, campaign.ReminderDays.Count + 1).Select(n => new CampaignRule(campaign, n));

    public Decision Evaluate(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        if (facts.Ineligibility(expiredCounts: true) is { } refusal)
        {
            return facts.Decide(Signal, refusal.State, null, null, refusal.Reason);
        }
        if (!_campaign.Enabled)
        {
            return facts.Decide(Signal, DecisionState.Disabled, null, null, Reasons.CampaignOff);
        }
        if (Latest(history, Signal, facts.At) is { } own)
        {
            return facts.FromRecord(own);
        }
        return _reminder == 0 ? Invite(in facts) : Remind(in facts, history);
    }

    private Decision Invite(in LearnerFacts facts)
    {
        var (trigger, missing) = _campaign.Trigger switch
        {
            CampaignTrigger.Completed => (facts.Snapshot.CompletedAt, Reasons.NotCompleted),
            CampaignTrigger.ActivityCompleted => (facts.Snapshot.ActivityCompletedAt(_campaign.ActivityId ?? 0), Reasons.ActivityNotCompleted),
            _ => (facts.AccessEnd, Reasons.NoEndDate),
        };
        if (trigger is not { } moment)
        {
            return facts.Decide(Signal, DecisionState.NotApplicable, null, null, missing);
        }
        var anchor = facts.Calendar.LocalDate(moment);
        var day = anchor.AddDays(_campaign.DelayDays);
        return FromSlot(in facts, anchor, facts.Calendar.Slot(day, day.AddDays(SignalSettings.CatchUpDays), moment), superseded: false);
    }

    private Decision Remind(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        if (Latest(history, _answered, facts.At) is not null)
        {
            return facts.Decide(Signal, DecisionState.NotApplicable, null, null, Reasons.Answered);
        }
        if (Latest(history, _invitation, facts.At) is not { State: SendState.Sent } invitation)
        {
            return facts.Decide(Signal, DecisionState.NotApplicable, null, null, Reasons.InvitationNotSent);
        }
        var anchor = invitation.Key.Anchor;
        if (_next is not null && Latest(history, _next, facts.At) is not null)
        {
            return facts.Decide(Signal, DecisionState.Superseded, anchor, null, Reasons.SupersededByLaterReminder);
        }
        var sentDay = facts.Calendar.LocalDate(invitation.At);
        var day = sentDay.AddDays(_campaign.ReminderDays[_reminder - 1]);
        var last = _next is null ? day.AddDays(SignalSettings.CatchUpDays) : sentDay.AddDays(_campaign.ReminderDays[_reminder] - 1);
        return FromSlot(in facts, anchor, facts.Calendar.Slot(day, last), superseded: _next is not null);
    }

    private Decision FromSlot(in LearnerFacts facts, DateOnly anchor, Slot slot, bool superseded) => slot.Kind switch
    {
        SlotKind.Due => facts.Decide(Signal, DecisionState.Due, anchor, slot.At, Reasons.DueNow),
        SlotKind.Scheduled => facts.Decide(Signal, DecisionState.Scheduled, anchor, slot.At, Reasons.WaitsForItsDay),
        _ when superseded => facts.Decide(Signal, DecisionState.Superseded, anchor, null, Reasons.SupersededByLaterReminder),
        _ => facts.Decide(Signal, DecisionState.Missed, anchor, null, Reasons.MissedWindow),
    };

    private static SendRecord? Latest(IReadOnlyList<SendRecord> history, string signal, DateTimeOffset at)
    {
        SendRecord? latest = null;
        for (var i = 0; i < history.Count; i++)
        {
            var record = history[i];
            if (record.Key.Signal == signal && record.IsCurrent(at) && (latest is null || record.At > latest.At))
            {
                latest = record;
            }
        }
        return latest;
    }
}
