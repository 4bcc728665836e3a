using CourseNotification.Observability;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Scanning;

/// <summary>
/// The second fan-out: evaluates a course's snapshots page by page with the engine and queues one
/// <c>notifications</c> message per due send that nobody has claimed yet.
/// </summary>
public sealed class CourseScanner(CourseStore courses, CourseDecisions decisions, QueueWriter queue, ILogger<CourseScanner> logger)
{
    public async Task<int> ScanAsync(ScanCourseMessage message, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartConsumer("scan course", message.TraceParent);
        activity?.SetTag("course.id", message.CourseId);
        var course = await courses.GetAsync(message.CourseId, cancellationToken);
        if (course is null)
        {
            logger.LogWarning("Course {CourseId} vanished before its scan", message.CourseId);
            return 0;
        }
        var queued = 0;
        await foreach (var learner in decisions.EvaluateAsync(course, message.At, cancellationToken))
        {
            foreach (var decision in learner.Decisions)
            {
                if (decision is { State: DecisionState.Due, InFlight: false, Anchor: { } anchor })
                {
                    await queue.SendAsync(
                        StorageNames.NotificationsQueue,
                        new NotificationMessage(course.Id, learner.Snapshot.LearnerId, decision.Signal, anchor, decision.Repeat, message.At, Telemetry.CurrentTraceParent),
                        cancellationToken);
                    queued++;
                }
            }
        }
        Telemetry.SendsQueued.Add(queued);
        activity?.SetTag("sends.queued", queued);
        logger.LogInformation("Scan of course {CourseId} as of {At} queued {SendCount} sends", course.Id, message.At, queued);
        return queued;
    }
}
