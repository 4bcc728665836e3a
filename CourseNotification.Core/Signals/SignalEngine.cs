using CourseNotification.Enrolments;

namespace CourseNotification.Signals;

/// <summary>
/// The pure rule engine of spec/signals.md: from what is known of one learner in one course, what was
/// already sent, the effective settings and an instant, one decision per signal, each with its reason.
/// No I/O, no clock: the caller gives the instant.
/// </summary>
public static class SignalEngine
{
    public static IReadOnlyList<Decision> Evaluate(
        Course course, EnrolmentSnapshot snapshot, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at)
    {
        var facts = LearnerFacts.Of(course, snapshot, settings);
        return [Welcome(facts, history, settings, at)];
    }

    /// <summary>The decision for one signal (the dispatcher re-checks a queued send with it).</summary>
    public static Decision? Evaluate(
        Course course, EnrolmentSnapshot snapshot, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at, string signal) =>
        Evaluate(course, snapshot, history, settings, at).FirstOrDefault(d => d.Signal == signal);

    private static Decision Welcome(in LearnerFacts facts, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at)
    {
        const string signal = SignalKeys.Welcome;
        if (facts.Ineligibility(settings) is { } refusal)
        {
            return facts.Decide(signal, refusal.State, null, null, refusal.Reason);
        }
        if (!settings.WelcomeEnabled)
        {
            return facts.Decide(signal, DecisionState.Disabled, null, null, "welcome switched off");
        }
        var anchor = facts.Calendar.LocalDate(facts.WorkStart!.Value);
        if (Recorded(history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        if (facts.HasAccessed && !settings.WelcomeEvenIfAccessed)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, "already accessed the course");
        }
        // Not before the course actually opens, even when that is late on its day.
        var slot = facts.Calendar.Slot(anchor, anchor.AddDays(settings.WelcomeCatchUpDays), at, notBefore: facts.WorkStart);
        return slot.Kind switch
        {
            SlotKind.Due => facts.Decide(signal, DecisionState.Due, anchor, slot.At, "work starts " + anchor.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            SlotKind.Scheduled => facts.Decide(signal, DecisionState.Scheduled, anchor, slot.At, "waits for its day and send hour"),
            _ => facts.Decide(signal, DecisionState.Missed, anchor, null, $"not sent within its {settings.WelcomeCatchUpDays}-day catch-up window"),
        };
    }

    private static SendRecord? Recorded(IReadOnlyList<SendRecord> history, string signal, DateOnly anchor, int repeat)
    {
        foreach (var record in history)
        {
            if (record.Key.Signal == signal && record.Key.Anchor == anchor && record.Key.Repeat == repeat)
            {
                return record;
            }
        }
        return null;
    }
}
