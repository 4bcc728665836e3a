using System.Globalization;
using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

/// <summary>
/// Plays one learner's life in one course against the engine, scan after scan, with an in-memory ledger:
/// every due send is recorded as sent at the scan that found it, and changes (an access, a completion,
/// an extension) happen at given instants. The log reads like the spec: "2026-01-12 09:00 firstcall".
/// </summary>
internal sealed class Timeline(Course course, EnrolmentSnapshot snapshot, SignalSettings settings)
{
    private readonly List<(DateTimeOffset At, Func<EnrolmentSnapshot, EnrolmentSnapshot> Change)> _changes = [];
    private readonly List<SendRecord> _ledger = [];
    private readonly List<(DateTimeOffset At, Decision Decision)> _sends = [];
    private EnrolmentSnapshot _snapshot = snapshot;

    public IReadOnlyList<(DateTimeOffset At, Decision Decision)> Sends => _sends;

    public IReadOnlyList<SendRecord> Ledger => _ledger;

    public TimeZoneInfo Zone => TimeZones.Resolve(_snapshot.Profile?.TimeZone, settings.SiteZone);

    /// <summary>Adds a ledger row written outside the scans (a questionnaire answered).</summary>
    public Timeline Record(SendRecord record)
    {
        _ledger.Add(record);
        return this;
    }

    public Timeline On(DateTimeOffset at, Func<EnrolmentSnapshot, EnrolmentSnapshot> change)
    {
        _changes.Add((at, change));
        return this;
    }

    /// <summary>Scans every <paramref name="step"/> (default: hourly, like the timer) from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Timeline Run(DateTimeOffset from, DateTimeOffset to, TimeSpan? step = null)
    {
        for (var at = from; at <= to; at += step ?? TimeSpan.FromHours(1))
        {
            ScanAt(at);
        }
        return this;
    }

    public void ScanAt(DateTimeOffset at)
    {
        foreach (var change in _changes.Where(c => c.At <= at).ToList())
        {
            _snapshot = change.Change(_snapshot);
            _changes.Remove(change);
        }
        foreach (var decision in SignalEngine.Evaluate(course, _snapshot, _ledger, settings, at))
        {
            if (decision is { State: DecisionState.Due, InFlight: false })
            {
                _ledger.Add(new SendRecord(decision.Key!, SendState.Sent, at, null));
                _sends.Add((at, decision));
            }
        }
    }

    public Decision DecisionAt(DateTimeOffset at, string signal) =>
        SignalEngine.Evaluate(course, _snapshot, _ledger, settings, at, signal)!.Value;

    /// <summary>"yyyy-MM-dd HH:mm signal" in the learner's local time, with "#n" for repeats and "(anchor yyyy-MM-dd)" when asked.</summary>
    public IReadOnlyList<string> Log(bool anchors = false) => _sends.Select(s =>
    {
        var local = TimeZoneInfo.ConvertTime(s.At, Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var repeat = s.Decision.Repeat > 0 ? $"#{s.Decision.Repeat}" : "";
        var anchor = anchors ? $" (anchor {s.Decision.Anchor:yyyy-MM-dd})" : "";
        return $"{local} {s.Decision.Signal}{repeat}{anchor}";
    }).ToList();
}
