using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Observability;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.EndToEnd;

/// <summary>One trace from the HTTP request that starts a scan, through both queues, to the send; and the send counters.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class TelemetryTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task A_scan_request_traces_through_both_queues_to_the_send_and_counts_it()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is Telemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var sends = new ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Telemetry.Name && instrument.Name == "coursenotification.sends")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) => sends.Enqueue((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        meters.Start();

        var at = new DateTimeOffset(2030, 4, 1, 10, 0, 0, TimeSpan.FromHours(2));
        await using var host = await LocalHost.StartAsync(new ShiftableClock(at), workers: true);
        var http = host.Http;
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        (await http.PutAsJsonAsync("api/snapshots", new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = course, ["fullName"] = "Traçabilité", ["startDate"] = at.AddHours(-10).ToString("O") }),
            ["learners"] = new JsonArray(new JsonObject { ["id"] = learner, ["email"] = $"trace{learner}@example.org", ["lang"] = "fr", ["timeZone"] = "Europe/Paris" }),
            ["enrolments"] = new JsonArray(new JsonObject { ["id"] = learner, ["courseId"] = course, ["learnerId"] = learner, ["start"] = at.AddHours(-10).ToUnixTimeSeconds() }),
        }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var traceId = ActivityTraceId.CreateRandom();
        using var scan = new HttpRequestMessage(HttpMethod.Post, $"api/scan?at={Uri.EscapeDataString(at.ToString("O"))}");
        scan.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await http.SendAsync(scan, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!activities.Any(a => a.OperationName == "dispatch" && Equals(a.GetTagItem("learner.id"), learner)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.CancellationToken);
        }

        var dispatch = activities.Single(a => a.OperationName == "dispatch" && Equals(a.GetTagItem("learner.id"), learner));
        Assert.AreEqual(traceId, dispatch.TraceId, "the send continues the trace of the request that started the scan");
        Assert.AreEqual("sent", dispatch.GetTagItem("outcome"));
        var scanCourse = activities.Single(a => a.OperationName == "scan course" && Equals(a.GetTagItem("course.id"), course));
        Assert.AreEqual(traceId, scanCourse.TraceId);
        Assert.AreEqual(scanCourse.SpanId, dispatch.ParentSpanId, "dispatch is a child of the course scan that queued it");
        Assert.IsTrue((await inbox.ReadAsync(TestContext.CancellationToken)).Any(m => m.To == $"trace{learner}@example.org"));
        Assert.IsTrue(sends.Any(s => s.Value == 1 && (string?)s.Tags["signal"] == "welcome" && (string?)s.Tags["outcome"] == "sent"));
    }
}
