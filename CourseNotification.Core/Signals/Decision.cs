using System.Text.Json.Serialization;

namespace CourseNotification.Signals;

/// <summary>The states of docs/signals.md, "Decisions" (JSON: snake_case).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DecisionState>))]
public enum DecisionState
{
    [JsonStringEnumMemberName("sent")] Sent,
    [JsonStringEnumMemberName("due")] Due,
    [JsonStringEnumMemberName("scheduled")] Scheduled,
    [JsonStringEnumMemberName("superseded")] Superseded,
    [JsonStringEnumMemberName("missed")] Missed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("disabled")] Disabled,
    [JsonStringEnumMemberName("not_applicable")] NotApplicable,
}

public static class DecisionStates
{
    /// <summary>The state's name in JSON and on pages (<c>not_applicable</c>, <c>sent</c>...).</summary>
    public static string Name(DecisionState state) => state == DecisionState.NotApplicable ? "not_applicable" : state.ToString().ToLowerInvariant();

    /// <summary>The state a name stands for (<see cref="Name"/>), or null.</summary>
    public static DecisionState? Parse(string name) => Enum.GetValues<DecisionState>().Select(s => (DecisionState?)s).FirstOrDefault(s => Name(s!.Value) == name);
}

/// <summary>
/// What the engine says of one signal for one (course, learner) at one instant, with the reason
/// (docs/signals.md, "Decisions"). <paramref name="Anchor"/> is the local date the send is keyed on;
/// <paramref name="At"/> the instant it was or will be sent, when known. A struct, so the engine can
/// decide without allocating.
/// </summary>
public readonly record struct Decision(
    long CourseId,
    long LearnerId,
    string Signal,
    DecisionState State,
    DateOnly? Anchor,
    DateTimeOffset? At,
    string? Reason)
{
    /// <summary>Which alert of a repeating signal (inactivity) this is, from 0.</summary>
    [JsonIgnore]
    public int Repeat { get; init; }

    /// <summary>A worker has claimed this send and is sending it: due, but not to be queued again.</summary>
    [JsonIgnore]
    public bool InFlight { get; init; }

    /// <summary>The ledger key of the send this decision speaks of, when it has an anchor.</summary>
    [JsonIgnore]
    public SendKey? Key => Anchor is { } anchor ? new SendKey(CourseId, LearnerId, Signal, anchor, Repeat) : null;
}

/// <summary>
/// The identity of one send (docs/signals.md, "Exactly once"): delivered at most once whatever happens.
/// </summary>
public sealed record SendKey(long CourseId, long LearnerId, string Signal, DateOnly Anchor, int Repeat)
{
    public override string ToString() =>
        $"{CourseId}/{LearnerId}/{Signal}/{Anchor:yyyy-MM-dd}/{Repeat}";
}

/// <summary>The states a send can have in the ledger.</summary>
public enum SendState
{
    /// <summary>
    /// A scan queued it, or a worker put it back over the quota (the record's instant is when its message
    /// becomes visible); the next scans do not queue it again unless that is long past (<see cref="SendRecord.QueuedGrace"/>).
    /// </summary>
    Queued,
    /// <summary>A worker holds it (until its lease ends) and is sending.</summary>
    Claimed,
    Sent,
    Failed,
    /// <summary>
    /// An administrator asked for a mail already sent to go out again (docs/signals.md, "Send again"): a
    /// row of its own under a new key (<see cref="Resends"/>), which the next scan queues and a worker claims
    /// like any other send.
    /// </summary>
    Rearmed,
}

/// <summary>
/// The engine's view of one ledger row: what already happened to a send. <paramref name="Version"/> is
/// the row's storage concurrency token (the engine ignores it; the dispatcher claims with it).
/// </summary>
public sealed record SendRecord(SendKey Key, SendState State, DateTimeOffset At, string? Reason, string? Version = null)
{
    /// <summary>
    /// A failure a new try may overcome: its tries ran out on a transient error (its message waits in the
    /// poison queue for a redrive). False for a refusal that will not change (no address, provider's "no").
    /// </summary>
    public bool Retryable { get; init; }

    /// <summary>Who asked for a send again (<see cref="SendState.Rearmed"/> and the rows it becomes); null otherwise.</summary>
    public string? RearmedBy { get; init; }

    /// <summary>
    /// How long after its message should have become visible a queued send is still trusted to be in the
    /// queue; past that, a scan queues it again (the claim de-duplicates): a safety net, not a path.
    /// </summary>
    public static readonly TimeSpan QueuedGrace = TimeSpan.FromHours(6);

    /// <summary>Whether this record still speaks for its send at <paramref name="at"/> (a stale queue marker does not).</summary>
    public bool IsCurrent(DateTimeOffset at) => State != SendState.Queued || At + QueuedGrace > at;
}
