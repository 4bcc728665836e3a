using CourseNotification.Storage;

namespace CourseNotification.Enrolments;

/// <summary>
/// Saves learners and keeps the copy of their profile in each of their snapshots in step (the scan reads
/// snapshots only): a change of language, zone, suspension or opt-out reaches every course.
/// </summary>
public sealed class LearnerDirectory(LearnerStore learners, SnapshotStore snapshots)
{
    public Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken) => learners.GetAsync(learnerId, cancellationToken);

    public Task<IReadOnlyDictionary<long, Learner>> GetManyAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken) =>
        learners.GetManyAsync(learnerIds, cancellationToken);

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
            await snapshots.UpdateIfExistsAsync(courseId, learner.Id, s => s.WithProfile(profile), cancellationToken);
        }
    }

    /// <summary>
    /// <see cref="SaveAsync"/> for many learners at once (each with what was stored before it, null when
    /// new): the learners are written several at once, then each changed profile reaches the learner's
    /// snapshots in batches, except those in <paramref name="writtenAnyway"/> (the caller writes them with
    /// the new profile itself). A snapshot the index names but that no longer exists is not recreated.
    /// </summary>
    public async Task SaveManyAsync(
        IReadOnlyList<(Learner Learner, Learner? Previous)> saves, IReadOnlySet<(long CourseId, long LearnerId)> writtenAnyway, CancellationToken cancellationToken)
    {
        await learners.UpsertManyAsync(saves.Select(s => s.Learner), cancellationToken);
        var changed = saves
            .Where(s => s.Previous is null || LearnerProfile.Of(s.Previous) != LearnerProfile.Of(s.Learner))
            .ToDictionary(s => s.Learner.Id, s => LearnerProfile.Of(s.Learner));
        if (changed.Count == 0)
        {
            return;
        }
        var courses = await snapshots.CoursesOfLearnersAsync(changed.Keys, cancellationToken);
        var updates = courses
            .SelectMany(c => c.Value.Select(courseId => (CourseId: courseId, LearnerId: c.Key)))
            .Where(k => !writtenAnyway.Contains(k))
            .Select(k => new SnapshotChange(k.CourseId, k.LearnerId, s => s.WithProfile(changed[k.LearnerId])))
            .ToList();
        if (updates.Count > 0)
        {
            await snapshots.UpdateManyAsync(updates, onlyExisting: true, cancellationToken);
        }
    }
}
