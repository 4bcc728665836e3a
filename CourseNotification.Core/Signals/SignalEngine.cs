using CourseNotification.Enrolments;

namespace CourseNotification.Signals;

/// <summary>A signal decided outside the engine (questionnaire invitations), from the same facts and ledger.</summary>
public interface ISignalRule
{
    string Signal { get; }

    Decision Evaluate(in LearnerFacts facts, IReadOnlyList<SendRecord> history);
}

/// <summary>
/// The pure rule engine of docs/signals.md: from what is known of one learner in one course, what was
/// already sent, the effective settings and an instant, one decision per signal, each with its reason.
/// No I/O, no clock (the caller gives the instant), and no allocation in the span overload.
/// </summary>
public static class SignalEngine
{
    /// <summary>How many decisions the built-in signals produce (one each, in <see cref="SignalKeys.All"/> order).</summary>
    public static int BuiltInCount => SignalKeys.All.Count;

    /// <summary>How many decisions an evaluation with these settings produces: the built-in signals, then the settings' rules.</summary>
    public static int CountFor(SignalSettings settings) => BuiltInCount + settings.Rules.Count;

    private static readonly int WelcomeIndex = SignalKeys.IndexOf(SignalKeys.Welcome), FirstCallIndex = SignalKeys.IndexOf(SignalKeys.FirstCall),
        SecondCallIndex = SignalKeys.IndexOf(SignalKeys.SecondCall), ClosedIndex = SignalKeys.IndexOf(SignalKeys.Closed),
        CompletedIndex = SignalKeys.IndexOf(SignalKeys.Completed), InactiveIndex = SignalKeys.IndexOf(SignalKeys.Inactive);

    /// <summary>The positions of the end reminders, farthest first.</summary>
    private static readonly int[] EndIndexes = [.. SignalKeys.EndReminders.Select(r => SignalKeys.IndexOf(r.Signal))];

    /// <summary>
    /// Writes one decision per built-in signal, then one per rule of the settings (questionnaire
    /// campaigns), into <paramref name="output"/> (<see cref="CountFor"/> long); returns how many were written.
    /// </summary>
    public static int Evaluate(
        Course course, EnrolmentSnapshot snapshot, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at,
        Span<Decision> output)
    {
        var facts = new LearnerFacts(course, snapshot, settings, at);
        output[WelcomeIndex] = Welcome(in facts, history);
        output[FirstCallIndex] = Call(in facts, history, second: false);
        output[SecondCallIndex] = Call(in facts, history, second: true);
        for (var i = 0; i < SignalKeys.EndReminders.Count; i++)
        {
            output[EndIndexes[i]] = EndReminder(in facts, history, i);
        }
        output[ClosedIndex] = Closed(in facts, history);
        output[CompletedIndex] = Completed(in facts, history);
        output[InactiveIndex] = Inactive(in facts, history);
        var count = BuiltInCount;
        var rules = settings.Rules;
        for (var i = 0; i < rules.Count; i++)
        {
            output[count++] = rules[i].Evaluate(in facts, history);
        }
        return count;
    }

    public static IReadOnlyList<Decision> Evaluate(
        Course course, EnrolmentSnapshot snapshot, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at)
    {
        var decisions = new Decision[CountFor(settings)];
        Evaluate(course, snapshot, history, settings, at, decisions);
        return decisions;
    }

    /// <summary>The decision for one signal (the dispatcher re-checks a queued send with it).</summary>
    public static Decision? Evaluate(
        Course course, EnrolmentSnapshot snapshot, IReadOnlyList<SendRecord> history, SignalSettings settings, DateTimeOffset at, string signal)
    {
        foreach (var decision in Evaluate(course, snapshot, history, settings, at))
        {
            if (decision.Signal == signal)
            {
                return decision;
            }
        }
        return null;
    }

    private static Decision Welcome(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        const string signal = SignalKeys.Welcome;
        if (Gate(in facts, signal, WelcomeIndex) is { } closed)
        {
            return closed;
        }
        var anchor = facts.WorkStartDay;
        if (Recorded(in facts, history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        // Nobody who completed is welcomed, even when the completion came before the first scan or by a late import.
        if (facts.IsCompleted)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, Reasons.Completed);
        }
        if (facts.HasAccessed && !facts.Settings.WelcomeEvenIfAccessed)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, Reasons.Accessed);
        }
        // Not before the course actually opens, even when that is late on its day.
        var slot = facts.Calendar.Slot(anchor, anchor.AddDays(SignalSettings.CatchUpDays), facts.WorkStart);
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow);
    }

    /// <summary>firstcall and secondcall: never came since work start; the first one gives way to the second.</summary>
    private static Decision Call(in LearnerFacts facts, IReadOnlyList<SendRecord> history, bool second)
    {
        var (signal, index) = second ? (SignalKeys.SecondCall, SecondCallIndex) : (SignalKeys.FirstCall, FirstCallIndex);
        if (Gate(in facts, signal, index) is { } closed)
        {
            return closed;
        }
        var anchor = facts.WorkStartDay;
        if (Recorded(in facts, history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        if (facts.IsCompleted || facts.HasAccessed || facts.AccessEnded)
        {
            var reason = facts.IsCompleted ? Reasons.Completed : facts.HasAccessed ? Reasons.Accessed : Reasons.AccessEnded;
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, reason);
        }
        var settings = facts.Settings;
        var secondOn = settings.IsEnabled(SecondCallIndex);
        if (!second && secondOn && Recorded(in facts, history, SignalKeys.SecondCall, anchor, 0) is not null)
        {
            return facts.Decide(signal, DecisionState.Superseded, anchor, null, Reasons.SupersededBySecondCall);
        }
        var day = anchor.AddDays(second ? settings.SecondCallDays : settings.FirstCallDays);
        var last = !second && secondOn ? anchor.AddDays(settings.SecondCallDays - 1) : day.AddDays(SignalSettings.CatchUpDays);
        var slot = facts.Calendar.Slot(day, last, facts.WorkStart);
        if (slot.Kind == SlotKind.Missed && !second && secondOn)
        {
            return facts.Decide(signal, DecisionState.Superseded, anchor, null, Reasons.SupersededBySecondCall);
        }
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow);
    }

    /// <summary>end15 ... end1: the nearest one only; each may catch up until the next nearer one is due.</summary>
    private static Decision EndReminder(in LearnerFacts facts, IReadOnlyList<SendRecord> history, int position)
    {
        var (signal, daysBefore) = SignalKeys.EndReminders[position];
        if (Gate(in facts, signal, EndIndexes[position]) is { } closed)
        {
            return closed;
        }
        if (facts.AccessEnd is null)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, null, null, Reasons.NoEndDate);
        }
        var anchor = facts.AccessEndDay;
        if (Recorded(in facts, history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        if (facts.IsCompleted)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, Reasons.Completed);
        }
        var last = anchor.AddDays(-1);
        var hasNearer = false;
        for (var nearer = position + 1; nearer < SignalKeys.EndReminders.Count; nearer++)
        {
            if (!facts.Settings.IsEnabled(EndIndexes[nearer]))
            {
                continue;
            }
            var (nearerSignal, nearerDays) = SignalKeys.EndReminders[nearer];
            if (Recorded(in facts, history, nearerSignal, anchor, 0) is not null)
            {
                return facts.Decide(signal, DecisionState.Superseded, anchor, null, Reasons.SupersededByNearer);
            }
            if (!hasNearer)
            {
                last = anchor.AddDays(-nearerDays - 1);
                hasNearer = true;
            }
        }
        var slot = facts.Calendar.Slot(anchor.AddDays(-daysBefore), last, facts.WorkStart);
        if (slot.Kind == SlotKind.Missed && hasNearer)
        {
            return facts.Decide(signal, DecisionState.Superseded, anchor, null, Reasons.SupersededByNearer);
        }
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow);
    }

    /// <summary>closed: on the access-end day, also for an enrolment suspended by its expiry.</summary>
    private static Decision Closed(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        const string signal = SignalKeys.Closed;
        if (Gate(in facts, signal, ClosedIndex, expiredCounts: true) is { } closed)
        {
            return closed;
        }
        if (facts.AccessEnd is not { } accessEnd)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, null, null, Reasons.NoEndDate);
        }
        var anchor = facts.AccessEndDay;
        if (Recorded(in facts, history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        if (facts.IsCompleted)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, anchor, null, Reasons.Completed);
        }
        var slot = facts.Calendar.Slot(anchor, anchor.AddDays(SignalSettings.CatchUpDays), accessEnd);
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow, checkAccessEnd: false);
    }

    /// <summary>completed: the day Moodle reports completion.</summary>
    private static Decision Completed(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        const string signal = SignalKeys.Completed;
        if (Gate(in facts, signal, CompletedIndex) is { } closed)
        {
            return closed;
        }
        if (facts.Snapshot.CompletedAt is not { } completedAt)
        {
            return facts.Decide(signal, DecisionState.NotApplicable, null, null, Reasons.NotCompleted);
        }
        var anchor = facts.CompletedDay;
        if (Recorded(in facts, history, signal, anchor, 0) is { } record)
        {
            return facts.FromRecord(record);
        }
        var slot = facts.Calendar.Slot(anchor, anchor.AddDays(SignalSettings.CatchUpDays), completedAt);
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow, checkAccessEnd: false);
    }

    /// <summary>
    /// inactive: <c>InactivityDays</c> after the last course access (the spell's anchor), then every
    /// <c>InactivityRepeatDays</c>, at most <c>InactivityMaxRepeats</c> alerts per spell; a new access starts a new spell.
    /// </summary>
    private static Decision Inactive(in LearnerFacts facts, IReadOnlyList<SendRecord> history)
    {
        const string signal = SignalKeys.Inactive;
        if (Gate(in facts, signal, InactiveIndex) is { } closed)
        {
            return closed;
        }
        if (facts.IsCompleted || facts.AccessEnded || facts.WorkStart > facts.At)
        {
            var reason = facts.IsCompleted ? Reasons.Completed : facts.AccessEnded ? Reasons.AccessEnded : Reasons.CourseNotStarted;
            return facts.Decide(signal, DecisionState.NotApplicable, null, null, reason);
        }
        var settings = facts.Settings;
        DateTimeOffset spellStart;
        if (facts.HasAccessed)
        {
            spellStart = (facts.Snapshot.LastAccess ?? facts.Snapshot.FirstAccess)!.Value;
        }
        else if (!settings.IsEnabled(FirstCallIndex) && !settings.IsEnabled(SecondCallIndex))
        {
            spellStart = facts.WorkStart!.Value;
        }
        else
        {
            return facts.Decide(signal, DecisionState.NotApplicable, null, null, Reasons.NeverAccessedCallsCover);
        }

        var anchor = facts.Calendar.LocalDate(spellStart);
        var first = anchor.AddDays(settings.InactivityDays);
        if (LatestCallSent(history) is { } callAt && facts.Calendar.LocalDate(callAt).AddDays(settings.InactivityDays) is var afterCall && afterCall > first)
        {
            first = afterCall;
        }
        var every = settings.InactivityRepeatDays;
        var max = settings.InactivityMaxRepeats;
        var today = facts.Calendar.Today;
        var repeat = today < first ? 0 : Math.Min((today.DayNumber - first.DayNumber) / every, max - 1);
        var day = first.AddDays(repeat * every);
        var hasNext = repeat + 1 < max;
        var next = day.AddDays(every);

        if (Recorded(in facts, history, signal, anchor, repeat) is { } record)
        {
            return record.State is SendState.Claimed or SendState.Queued || !hasNext
                ? facts.FromRecord(record)
                : Next(in facts, anchor, next, repeat + 1);
        }
        var slot = facts.Calendar.Slot(day, day.AddDays(SignalSettings.InactivityCatchUpDays));
        if (slot.Kind == SlotKind.Missed && hasNext)
        {
            return Next(in facts, anchor, next, repeat + 1);
        }
        return FromSlot(in facts, signal, anchor, slot, Reasons.MissedWindow, repeat: repeat);

        static Decision Next(in LearnerFacts facts, DateOnly anchor, DateOnly day, int repeat) =>
            FromSlot(in facts, signal, anchor, new Slot(SlotKind.Scheduled, facts.Calendar.At(day, facts.Settings.Hours.SendHour)), Reasons.MissedWindow, repeat, Reasons.NextAlertOfSpell);
    }

    /// <summary>The platform, course and signal switches, and candidacy: a decision when the signal cannot apply at all.</summary>
    private static Decision? Gate(in LearnerFacts facts, string signal, int index, bool expiredCounts = false)
    {
        if (facts.Ineligibility(expiredCounts) is { } refusal)
        {
            return facts.Decide(signal, refusal.State, null, null, refusal.Reason);
        }
        return facts.Settings.IsEnabled(index) ? null : facts.Decide(signal, DecisionState.Disabled, null, null, Reasons.SignalOff);
    }

    /// <summary>A slot as a decision; a send scheduled at or after the access end will never go out.</summary>
    private static Decision FromSlot(
        in LearnerFacts facts, string signal, DateOnly anchor, Slot slot, string missedReason, int repeat = 0,
        string scheduledReason = Reasons.WaitsForItsDay, bool checkAccessEnd = true) => slot.Kind switch
    {
        SlotKind.Due => facts.Decide(signal, DecisionState.Due, anchor, slot.At, Reasons.DueNow, repeat),
        SlotKind.Scheduled when checkAccessEnd && slot.At >= facts.AccessEnd =>
            facts.Decide(signal, DecisionState.NotApplicable, anchor, null, Reasons.AccessEndsFirst, repeat),
        SlotKind.Scheduled => facts.Decide(signal, DecisionState.Scheduled, anchor, slot.At, scheduledReason, repeat),
        _ => facts.Decide(signal, DecisionState.Missed, anchor, null, missedReason, repeat),
    };

    private static SendRecord? Recorded(in LearnerFacts facts, IReadOnlyList<SendRecord> history, string signal, DateOnly anchor, int repeat)
    {
        for (var i = 0; i < history.Count; i++)
        {
            var key = history[i].Key;
            if (key.Anchor == anchor && key.Repeat == repeat && key.Signal == signal && history[i].IsCurrent(facts.At))
            {
                return history[i];
            }
        }
        return null;
    }

    private static DateTimeOffset? LatestCallSent(IReadOnlyList<SendRecord> history)
    {
        DateTimeOffset? latest = null;
        for (var i = 0; i < history.Count; i++)
        {
            var record = history[i];
            if (record.State == SendState.Sent && record.Key.Signal is SignalKeys.FirstCall or SignalKeys.SecondCall && (latest is null || record.At > latest))
            {
                latest = record.At;
            }
        }
        return latest;
    }
}
