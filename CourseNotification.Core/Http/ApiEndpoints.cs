using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// The HTTP routes, written once over ASP.NET Core's request and result types: the Functions triggers
/// and the Cli's Kestrel host both map them, so local behaviour is production behaviour.
/// </summary>
public sealed class ApiEndpoints(
    SnapshotIngest snapshotIngest, MoodleEventIngest eventIngest, MoodleEnvelopeIngest envelopeIngest, ScanPlanner scanPlanner, CourseStore courses, CourseDecisions decisions,
    PoisonRedrive redrive, CsvImport csvImport, TimeProvider clock)
{
    public const long MaxSnapshotBytes = 16 * 1024 * 1024;
    public const long MaxEventBytes = 1024 * 1024;

    /// <summary>PUT /api/snapshots</summary>
    public async Task<IResult> PutSnapshotsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (json, _, problem) = await JsonBody.ReadAsync(request, MaxSnapshotBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (json is not JsonObject body)
        {
            return Problems.Field(400, "body", "The body must be a JSON object with courses, learners and/or enrolments.");
        }
        if (SnapshotIngest.MalformedList(body) is { } list)
        {
            return Problems.Field(400, list, $"{list} must be an array of objects.");
        }
        if (SnapshotIngest.OversizedList(body) is { } large)
        {
            return Problems.Field(413, large, $"At most {SnapshotIngest.MaxItemsPerList} {large} per request: send larger sets in several requests.");
        }
        return Results.Ok(await snapshotIngest.UpsertAsync(body, cancellationToken));
    }

    /// <summary>POST /api/moodle/events</summary>
    public async Task<IResult> PostMoodleEventsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // tool_trigger's HTTP Post step without "JSON encode" sends its parameters as a form.
        var (json, raw, problem) = await JsonBody.ReadAsync(request, MaxEventBytes, cancellationToken, otherwise: raw => ToolTriggerStep.FromForm(raw));
        if (problem is not null)
        {
            return problem;
        }
        var headers = new WebhookHeaders(Header(request, "webhook-id"), Header(request, "webhook-timestamp"), Header(request, "webhook-signature"));
        try
        {
            if (MoodleEnvelopeIngest.IsEnvelope(json))
            {
                // local_coursenotification's envelope: a ping or a replay gets 200, an applied envelope 202.
                var applied = await envelopeIngest.IngestAsync((JsonObject)json!, raw, headers, cancellationToken);
                return applied.Duplicate || applied.Type == MoodleEnvelopeIngest.Ping ? Results.Ok(applied) : Results.Accepted(value: applied);
            }
            var report = await eventIngest.IngestAsync(json!, raw, headers, cancellationToken);
            // A replay of an accepted webhook gets a success, so the sender stops retrying; nothing is applied twice.
            return report.Duplicate ? Results.Ok(report) : Results.Accepted(value: report);
        }
        catch (EventRejectedException e)
        {
            Observability.Telemetry.MoodleEvents.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            return Problems.Field(e.Status, e.Field, e.Message);
        }
    }

    private static string? Header(HttpRequest request, string name) => request.Headers[name] is { Count: > 0 } value ? value.ToString() : null;

    /// <summary>POST /api/scan?at=ISO: what the hourly timer does, on demand (administrators, the demo).</summary>
    public async Task<IResult> PostScanAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!QueryInstant.TryRead(request, clock, out var at, out var problem))
        {
            return problem;
        }
        var queued = await scanPlanner.FanOutAsync(at, cancellationToken);
        return Results.Accepted(value: new { at, courses = queued });
    }

    /// <summary>
    /// POST /api/import/csv: a Moodle custom report's CSV (text/csv), as <c>cn import</c> takes it. The
    /// 16 MB limit holds for a chunked body too: one without a length is first copied to a temporary file,
    /// counting, so a body over the limit is refused before anything is written; one with a length is
    /// imported as it arrives (the server reads no more than the length it declared).
    /// </summary>
    public async Task<IResult> PostCsvImportAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The exporting user's zone, in which Moodle wrote the report's dates (default: the site's).
        var zone = request.Query["timezone"].FirstOrDefault();
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            return Problems.Field(400, "timezone", $"'{zone}' is not a known IANA time zone (e.g. Europe/Paris).");
        }
        if (request.ContentLength > MaxSnapshotBytes)
        {
            return Problems.Field(413, "body", $"The body is {request.ContentLength} bytes; at most {MaxSnapshotBytes} are accepted.");
        }
        await using var spooled = request.ContentLength is null ? await SpoolAsync(request.Body, MaxSnapshotBytes, cancellationToken) : null;
        if (request.ContentLength is null && spooled is null)
        {
            return Problems.Field(413, "body", $"The body exceeds {MaxSnapshotBytes} bytes.");
        }
        using var reader = new StreamReader(spooled ?? request.Body);
        try
        {
            return Results.Ok(await csvImport.ImportAsync(reader, zone, null, cancellationToken));
        }
        catch (FormatException e)
        {
            return Problems.Field(400, "header", e.Message);
        }
    }

    /// <summary>The body copied to a temporary file (deleted when closed) and rewound, or null when it holds more than <paramref name="maxBytes"/>.</summary>
    private static async Task<Stream?> SpoolAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var file = new FileStream(
            Path.Combine(Path.GetTempPath(), $"csv-import-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            bufferSize: 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (file.Length + read > maxBytes)
                {
                    await file.DisposeAsync();
                    return null;
                }
                await file.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            }
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>GET /api/openapi.json: the description of every route (a test keeps it in step with both hosts).</summary>
    public static IResult GetOpenApi()
    {
        using var stream = typeof(ApiEndpoints).Assembly.GetManifestResourceStream("CourseNotification.Http.openapi.json")!;
        using var reader = new StreamReader(stream);
        return Results.Text(reader.ReadToEnd(), "application/json");
    }

    /// <summary>POST /api/poison/redrive: poisoned messages back to their queues.</summary>
    public async Task<IResult> PostRedriveAsync(CancellationToken cancellationToken) =>
        Results.Ok(new { redriven = await redrive.RedriveAsync(cancellationToken) });

    /// <summary>
    /// GET /api/preview?courseId=&amp;at=: every decision (docs/signals.md, "Decisions") for every learner of
    /// one course, or of all courses, as of an instant; nothing is sent. Streamed as a JSON array.
    /// </summary>
    public async Task<IResult> GetPreviewAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!QueryInstant.TryRead(request, clock, out var at, out var problem))
        {
            return problem;
        }
        if (request.Query["courseId"] is not { Count: > 0 } given)
        {
            return Results.Ok(Flatten(decisions.EvaluateAllAsync(at, cancellationToken)));
        }
        if (!long.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out var courseId) || courseId <= 0)
        {
            return Problems.Field(400, "courseId", $"'{given[0]}' is not a course id.");
        }
        var course = await courses.GetAsync(courseId, cancellationToken);
        return course is null
            ? Problems.Field(404, "courseId", $"Course {courseId} is not known here.")
            : Results.Ok(Flatten(decisions.EvaluateAsync(course, at, cancellationToken)));
    }

    private static async IAsyncEnumerable<Signals.Decision> Flatten(IAsyncEnumerable<LearnerDecisions> learners)
    {
        await foreach (var learner in learners)
        {
            foreach (var decision in learner.Decisions)
            {
                yield return decision;
            }
        }
    }
}
