using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CourseNotification.Observability;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Enrolments;

/// <summary>What happened to a batch of pushed events.</summary>
public sealed record EventReport(int Received, int Applied, int Ignored);

/// <summary>Why a push was refused as a whole (nothing applied).</summary>
public sealed class EventRejectedException(int status, string field, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Field { get; } = field;
}

/// <summary>
/// <c>POST /api/moodle/events</c> (spec/moodle.md §1): one Moodle event or an array, as
/// <c>\core\event\base::get_data()</c> serialises them, with the shared token in the body.
/// Unknown events are accepted and counted as ignored.
/// </summary>
public sealed class MoodleEventIngest(
    SnapshotStore snapshots, LearnerStore learners, IOptions<MoodleOptions> moodle, ILogger<MoodleEventIngest> logger)
{
    public const string EnrolmentCreatedEvent = @"\core\event\user_enrolment_created";

    public async Task<EventReport> IngestAsync(JsonNode body, CancellationToken cancellationToken)
    {
        var events = body switch
        {
            JsonArray array => array.ToList(),
            JsonObject single => [single],
            _ => throw new EventRejectedException(400, "body", "The body must be a Moodle event object or an array of them."),
        };
        // Validate everything first: a batch with one bad event changes nothing.
        var changes = new List<EnrolmentCreated?>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not JsonObject e)
            {
                throw new EventRejectedException(400, $"[{i}]", $"Event {i} is not a JSON object.");
            }
            CheckToken(e, i);
            var item = new JsonItem(e);
            var name = item.String("eventname");
            changes.Add(name == EnrolmentCreatedEvent ? EnrolmentCreated.Parse(item, i) : null);
            if (name != EnrolmentCreatedEvent)
            {
                logger.LogInformation("Ignored Moodle event {EventName}", name);
            }
        }

        var applied = 0;
        foreach (var change in changes)
        {
            if (change is not null)
            {
                await ApplyAsync(change, cancellationToken);
                applied++;
            }
        }
        Telemetry.MoodleEvents.Add(applied, new KeyValuePair<string, object?>("outcome", "applied"));
        Telemetry.MoodleEvents.Add(events.Count - applied, new KeyValuePair<string, object?>("outcome", "ignored"));
        return new EventReport(events.Count, applied, events.Count - applied);
    }

    private void CheckToken(JsonObject e, int index)
    {
        var expected = moodle.Value.WebhookTokens;
        if (expected.Count == 0)
        {
            return;
        }
        var token = e["token"]?.ToString();
        if (string.IsNullOrEmpty(token))
        {
            throw new EventRejectedException(401, $"[{index}].token", "The event carries no token.");
        }
        var given = Encoding.UTF8.GetBytes(token);
        if (!expected.Any(t => CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(t))))
        {
            throw new EventRejectedException(403, $"[{index}].token", "The event's token is not one this service accepts.");
        }
    }

    /// <summary>
    /// user_enrolment_created carries no dates: the enrolment starts when it was created. An enrolment
    /// already known (from a snapshot upsert, say) keeps what is stored.
    /// </summary>
    private async Task ApplyAsync(EnrolmentCreated change, CancellationToken cancellationToken)
    {
        var learner = await learners.GetAsync(change.LearnerId, cancellationToken);
        await snapshots.UpdateAsync(change.CourseId, change.LearnerId, snapshot =>
        {
            var profiled = learner is null ? snapshot : snapshot with { Profile = LearnerProfile.Of(learner) };
            return snapshot.Enrolments.Any(e => e.Id == change.EnrolmentId)
                ? profiled
                : profiled.WithEnrolment(new Enrolment { Id = change.EnrolmentId, Method = change.Method, Active = true, Created = change.Created });
        }, cancellationToken);
    }

    private sealed record EnrolmentCreated(long CourseId, long LearnerId, long EnrolmentId, DateTimeOffset? Created, string Method)
    {
        public static EnrolmentCreated Parse(JsonItem item, int index)
        {
            var change = new EnrolmentCreated(
                item.Id("courseid"),
                item.Id("relateduserid"),
                item.Id("objectid"),
                item.Date("timecreated"),
                (item.Object("other") is { } other ? new JsonItem(other).String("enrol") : null) ?? "manual");
            return item.Problem is null
                ? change
                : throw new EventRejectedException(400, $"[{index}].{item.ProblemField}", $"{EnrolmentCreatedEvent}: {item.Problem}.");
        }
    }
}
