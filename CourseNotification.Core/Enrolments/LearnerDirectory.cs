using CourseNotification.Storage;

namespace CourseNotification.Enrolments;

/// <summary>
/// Saves learners and keeps the copy of their profile in each of their snapshots in step (the scan reads
/// snapshots only): a change of language, zone, suspension or opt-out reaches every course.
/// </summary>
public sealed class LearnerDirectory(LearnerStore learners, SnapshotStore snapshots)
{
    public Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken) => learners.GetAsync(learnerId, cancellationToken);

    public async Task SaveAsync(Learner learner, Learner? previous, CancellationToken cancellationToken)
    {
        await learners.UpsertAsync(learner, cancellationToken);
        var profile = LearnerProfile.Of(learner);
        if (previous is not null && LearnerProfile.Of(previous) == profile)
        {
            return;
        }
        foreach (var courseId in await snapshots.CoursesOfLearnerAsync(learner.Id, cancellationToken))
        {
            // A course deleted since keeps its index row and has no snapshot: nothing to update there.
            await snapshots.UpdateIfExistsAsync(courseId, learner.Id, s => s with { Profile = profile }, cancellationToken);
        }
    }
}
