using System.Text.Json.Nodes;
using CourseNotification.Observability;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Enrolments;

/// <summary>What a plugin envelope did: its events (received, applied, ignored), its state, and whether it was a replay or a ping.</summary>
public sealed record EnvelopeReport(string Type, int Received, int Applied, int Ignored, bool Duplicate = false, StateReport? State = null, int RemovedCourses = 0, int RemovedLearners = 0);

/// <summary>
/// <c>POST /api/moodle/events</c> with one envelope of <c>local_coursenotification</c>
/// (moodle/local_coursenotification/ENVELOPE.md): signed like the other signed pushes, its id applied once.
/// Every event is checked before anything is applied (one bad event refuses the whole envelope, 400 naming
/// it), as is the shape of the state. Then the events apply, then the state (the truth read at
/// <c>created</c>, so last), through the snapshot upsert's writer, in batches. A state item that writer
/// refuses (an email that is not a bare address...) is reported in the answer and skipped: the rest is
/// applied and the envelope accepted, since refusing it would hold its events back at every retry.
/// </summary>
public sealed class MoodleEnvelopeIngest(
    MoodleEventIngest events,
    SnapshotIngest state,
    SnapshotStore snapshots,
    LearnerDirectory learners,
    LearnerErasure erasure,
    WebhookVerifier verifier,
    WebhookReplayStore replays,
    HealthStore health,
    TimeProvider clock,
    ILogger<MoodleEnvelopeIngest> logger)
{
    public const string Batch = "moodle.batch";
    public const string State = "moodle.state";
    public const string Ping = "moodle.ping";

    /// <summary>Whether a body is a plugin envelope (one object with <c>events</c> or <c>state</c> or a <c>moodle.*</c> type), not an event or an array of them.</summary>
    public static bool IsEnvelope(JsonNode? body) =>
        body is JsonObject o && o["event"] is null && o["eventname"] is null
        && (o.ContainsKey("events") || o.ContainsKey("state") || (o["type"] is JsonValue type && type.ToString().StartsWith("moodle.", StringComparison.Ordinal)));

    public async Task<EnvelopeReport> IngestAsync(JsonObject body, ReadOnlyMemory<byte> rawBody, WebhookHeaders headers, CancellationToken cancellationToken)
    {
        if (!headers.Present)
        {
            throw new EventRejectedException(401, "webhook-signature", "A local_coursenotification envelope must be signed (Standard Webhooks headers).");
        }
        if (verifier.Problem(headers, rawBody.Span) is { } problem)
        {
            throw new EventRejectedException(401, problem.Field, problem.Problem);
        }
        var envelope = new JsonItem(body);
        var type = envelope.String("type");
        if (type is not (Batch or State or Ping))
        {
            throw new EventRejectedException(400, "type", $"type must be {Batch}, {State} or {Ping}.");
        }
        if (type == Ping)
        {
            logger.LogInformation("Moodle ping {WebhookId} answered", headers.Id);
            return new EnvelopeReport(type, 0, 0, 0);
        }
        var created = envelope.Date("created");
        if (envelope.Problem is not null || created is not { } readAt)
        {
            throw new EventRejectedException(400, "created", envelope.Problem ?? "created (Unix seconds) is required.");
        }
        if (body["events"] is { } list && list is not JsonArray)
        {
            throw new EventRejectedException(400, "events", "events must be an array of Moodle events.");
        }
        var items = body["events"] as JsonArray ?? [];
        if (StateProblem(body["state"]) is { } shape)
        {
            throw new EventRejectedException(400, shape, $"{shape} does not have the shape ENVELOPE.md gives.");
        }

        // Check every event first: an envelope with one bad event changes nothing.
        var parsed = new List<MoodleEvent?>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
            {
                throw new EventRejectedException(400, $"events[{i}]", $"Event {i} is not a JSON object.");
            }
            parsed.Add(events.Parse(item, $"events[{i}]"));
        }
        if (await replays.WasAcceptedAsync(headers.Id!, cancellationToken))
        {
            logger.LogInformation("Webhook {WebhookId} was accepted before: not applied again", headers.Id);
            return new EnvelopeReport(type, items.Count, 0, items.Count, Duplicate: true);
        }

        await health.EventReceivedAsync(clock.GetUtcNow(), cancellationToken);
        var applied = await ApplyEventsAndStateAsync(parsed, body["state"] as JsonObject ?? [], readAt, cancellationToken);
        var stateObject = body["state"] as JsonObject ?? [];
        var goneCourses = SnapshotIngest.RemovedIds(stateObject, "courses");
        foreach (var courseId in goneCourses)
        {
            await events.DeleteCourseAsync(courseId, cancellationToken);
        }
        var goneLearners = SnapshotIngest.RemovedIds(stateObject, "learners");
        foreach (var learnerId in goneLearners)
        {
            await erasure.EraseAsync(learnerId, cancellationToken);
        }
        // Recorded once everything is applied: an envelope that failed half-way is applied again on retry
        // (events and state both apply so that applying them twice changes nothing), never skipped.
        await replays.RecordAsync(headers.Id!, clock.GetUtcNow(), cancellationToken);

        foreach (var rejection in applied.State.Rejected)
        {
            // Ids and the field only: the reason may quote the refused value (an address).
            logger.LogWarning("Webhook {WebhookId}: {Kind} item {Index} (id {Id}) refused at {Field}; the rest was applied", headers.Id, rejection.Kind, rejection.Index, rejection.Id, rejection.Field);
        }
        var ignored = items.Count - applied.Events;
        Telemetry.MoodleEvents.Add(applied.Events, new KeyValuePair<string, object?>("outcome", "applied"));
        Telemetry.MoodleEvents.Add(ignored, new KeyValuePair<string, object?>("outcome", "ignored"));
        logger.LogInformation(
            "Envelope {WebhookId} ({Type}): {Applied} of {Received} events applied, state {Stale} stale, {Rejected} refused",
            headers.Id, type, applied.Events, items.Count, applied.State.Stale, applied.State.Rejected.Count);
        return new EnvelopeReport(type, items.Count, applied.Events, ignored, false, applied.State, goneCourses.Count, goneLearners.Count);
    }

    private static string? StateProblem(JsonNode? node) => SnapshotIngest.StateShapeProblem(node);

    /// <summary>
    /// Applies the events in order: those that change one snapshot are gathered and written in batches; an
    /// event that does more (a user or course deleted, a course updated, a login) first writes what was
    /// gathered, then applies alone. The last gathered changes go with the state, in the same writes.
    /// </summary>
    private async Task<(int Events, StateReport State)> ApplyEventsAndStateAsync(
        List<MoodleEvent?> parsed, JsonObject stateBody, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        // user_enrolment_created copies the stored learner's profile; the state's own learners get theirs from the state.
        var inState = (stateBody["learners"] as JsonArray ?? []).OfType<JsonObject>().Select(l => new JsonItem(l).Long("id") ?? 0).ToHashSet();
        var wanted = parsed.OfType<MoodleEvent>().Where(MoodleEventIngest.NeedsLearner).Select(e => e.RelatedUserId).Where(id => !inState.Contains(id)).ToHashSet();
        var stored = wanted.Count > 0 ? await learners.GetManyAsync(wanted, cancellationToken) : new Dictionary<long, Learner>();

        var applied = 0;
        var gathered = new List<SnapshotChange>();
        async Task FlushAsync()
        {
            if (gathered.Count > 0)
            {
                applied += (await snapshots.UpdateManyAsync(gathered, onlyExisting: false, cancellationToken)).Count(r => r.After is not null);
                gathered.Clear();
            }
        }
        foreach (var e in parsed.OfType<MoodleEvent>())
        {
            if (events.SnapshotChangeOf(e, stored.GetValueOrDefault(e.RelatedUserId)) is { } change)
            {
                gathered.Add(change);
                continue;
            }
            await FlushAsync();
            if (await events.ApplyAsync(e, cancellationToken))
            {
                applied++;
            }
        }
        var (report, first) = await state.ApplyStateAsync(stateBody, readAt, gathered, cancellationToken);
        applied += first.Count(r => r.After is not null);
        return (applied, report);
    }
}
