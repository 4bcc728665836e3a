namespace CourseNotification.Signals;

/// <summary>
/// "Send again" (docs/signals.md): a mail already sent goes out once more when an administrator asks.
/// Exactly-once is kept by giving each new send a key of its own: the same signal and anchor, and the
/// repeat <c>n * <see cref="Step"/> + r</c> for the n-th resend of the send of repeat r (repeats of a
/// signal stay far below <see cref="Step"/>: at most 20 inactivity alerts). The request is a ledger row
/// in state <see cref="SendState.Rearmed"/>; the engine turns it into a due send at the next allowed
/// moment (send hour, quiet hours, catch-up window counted from the request), the scan queues it and a
/// worker claims it like any other send, so two scans, two workers or a duplicate message still send it once.
/// </summary>
public static class Resends
{
    public const int Step = 1000;

    /// <summary>Whether a key is a resend's.</summary>
    public static bool IsResend(SendKey key) => key.Repeat >= Step;

    /// <summary>The key of the n-th resend (from 1) of the send <paramref name="original"/>.</summary>
    public static SendKey KeyOf(SendKey original, int number) => original with { Repeat = number * Step + original.Repeat % Step };

    /// <summary>The latest resend of <paramref name="original"/> in a history (a stale queue marker does not count), or null.</summary>
    public static SendRecord? Latest(IReadOnlyList<SendRecord> history, SendKey original, DateTimeOffset at)
    {
        SendRecord? latest = null;
        for (var i = 0; i < history.Count; i++)
        {
            var record = history[i];
            var key = record.Key;
            if (key.Repeat < Step || key.Repeat % Step != original.Repeat % Step || key.Anchor != original.Anchor || key.Signal != original.Signal || !record.IsCurrent(at))
            {
                continue;
            }
            // The same key may come twice (the ledger's row and a scan's queue mark): the state furthest along wins.
            if (latest is null || key.Repeat > latest.Key.Repeat || (key.Repeat == latest.Key.Repeat && Rank(record.State) > Rank(latest.State)))
            {
                latest = record;
            }
        }
        return latest;
    }

    private static int Rank(SendState state) => state switch
    {
        SendState.Rearmed => 0,
        SendState.Queued => 1,
        SendState.Claimed => 2,
        SendState.Failed => 3,
        _ => 4,
    };

    /// <summary>A decision that says "sent", replaced by what became of the latest request to send it again, if any.</summary>
    internal static Decision Apply(in LearnerFacts facts, IReadOnlyList<SendRecord> history, Decision sent)
    {
        if (sent.Key is not { } key || Latest(history, key, facts.At) is not { } latest)
        {
            return sent;
        }
        var resend = latest.Key;
        switch (latest.State)
        {
            case SendState.Rearmed:
                var day = facts.Calendar.LocalDate(latest.At);
                var slot = facts.Calendar.Slot(day, day.AddDays(SignalSettings.CatchUpDays), latest.At);
                return slot.Kind switch
                {
                    SlotKind.Due => facts.Decide(resend.Signal, DecisionState.Due, resend.Anchor, slot.At, Reasons.AskedAgain, resend.Repeat),
                    SlotKind.Scheduled => facts.Decide(resend.Signal, DecisionState.Scheduled, resend.Anchor, slot.At, Reasons.AskedAgain, resend.Repeat),
                    _ => facts.Decide(resend.Signal, DecisionState.Missed, resend.Anchor, null, Reasons.MissedWindow, resend.Repeat),
                };
            case SendState.Sent:
                return facts.FromRecord(latest) with { Reason = Reasons.SentAgain };
            default:
                return facts.FromRecord(latest);
        }
    }
}
