using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Enrolments;

/// <summary>
/// Erases a person (Moodle's user_deleted, GDPR erasure): their learner row, their snapshot and index row
/// in every course, and the link between them and their sends (the ledger keeps anonymous counts).
/// </summary>
public sealed class LearnerErasure(LearnerStore learners, SnapshotStore snapshots, LedgerStore ledger, ILogger<LearnerErasure> logger)
{
    public async Task EraseAsync(long learnerId, CancellationToken cancellationToken)
    {
        var courses = await snapshots.CoursesOfLearnerAsync(learnerId, cancellationToken);
        foreach (var courseId in courses)
        {
            await ledger.AnonymizeAsync(courseId, learnerId, cancellationToken);
            await snapshots.DeleteAsync(courseId, learnerId, cancellationToken);
        }
        await learners.DeleteAsync(learnerId, cancellationToken);
        logger.LogInformation("Erased learner {LearnerId} from {CourseCount} courses", learnerId, courses.Count);
    }
}
