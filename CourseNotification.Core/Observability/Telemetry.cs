using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CourseNotification.Observability;

/// <summary>
/// The service's traces and counters (OpenTelemetry names). A trace follows a scan from its start (timer
/// or HTTP) through the <c>scan-course</c> and <c>notifications</c> queues to the send: each message
/// carries its producer's W3C traceparent, and the consumer's activity continues that trace.
/// </summary>
public static class Telemetry
{
    public const string Name = "CourseNotification";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Queued sends handled, tagged <c>signal</c> and <c>outcome</c> (sent, duplicate, failed, deferred, no_longer_due, retry).</summary>
    public static readonly Counter<long> Sends = Meter.CreateCounter<long>("coursenotification.sends", description: "Queued sends handled, by signal and outcome");

    /// <summary>Moodle events received, tagged <c>outcome</c> (applied, ignored, refused).</summary>
    public static readonly Counter<long> MoodleEvents = Meter.CreateCounter<long>("coursenotification.moodle.events", description: "Moodle events received, by outcome");

    /// <summary>Snapshot upsert items, tagged <c>kind</c> (courses, learners, enrolments) and <c>outcome</c> (created, updated, rejected).</summary>
    public static readonly Counter<long> SnapshotItems = Meter.CreateCounter<long>("coursenotification.snapshot.items", description: "Snapshot upsert items, by kind and outcome");

    /// <summary>Sends queued by scans.</summary>
    public static readonly Counter<long> SendsQueued = Meter.CreateCounter<long>("coursenotification.scan.queued", description: "Sends queued by the scans");

    /// <summary>Seconds between the scan that queued a send and its dispatch: how far behind the queue is.</summary>
    public static readonly Histogram<double> DispatchLag = Meter.CreateHistogram<double>("coursenotification.dispatch.lag", unit: "s", description: "Seconds from scan to dispatch");

    /// <summary>The traceparent to put in a message for its consumer.</summary>
    public static string? CurrentTraceParent => Activity.Current?.Id;

    /// <summary>
    /// An activity that continues the trace of the message's producer (when it carried one), linked to
    /// whatever activity the host started for this invocation.
    /// </summary>
    public static Activity? StartConsumer(string name, string? traceParent)
    {
        var links = Activity.Current is { } invocation ? new[] { new ActivityLink(invocation.Context) } : null;
        return ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Consumer, parent, links: links)
            : Source.StartActivity(name, ActivityKind.Consumer);
    }
}
