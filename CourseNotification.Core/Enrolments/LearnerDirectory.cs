using CourseNotification.Storage;

namespace CourseNotification.Enrolments;

/// <summary>
/// The one writer of learners: applies <see cref="LearnerPatch"/>es (ETag-guarded, see
/// <see cref="LearnerStore"/>) and keeps the copy of the profile in each of the learner's snapshots in
/// step (the scan reads snapshots only): a change of language, zone, suspension or opt-out reaches every course.
/// </summary>
public sealed class LearnerDirectory(LearnerStore learners, SnapshotStore snapshots)
{
    public Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken) => learners.GetAsync(learnerId, cancellationToken);

    public Task<IReadOnlyDictionary<long, Learner>> GetManyAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken) =>
        learners.GetManyAsync(learnerIds, cancellationToken);

    /// <summary>
    /// Applies <paramref name="patch"/>, then copies a changed profile into the learner's snapshots. An
    /// opt-out is copied even when the row already said so: a first try that stopped half-way through the
    /// courses is finished by the next.
    /// </summary>
    public async Task<LearnerChanged> UpdateAsync(LearnerPatch patch, bool onlyExisting, CancellationToken cancellationToken)
    {
        var changed = await learners.UpdateAsync(patch, onlyExisting, cancellationToken);
        if (changed.After is { } after && (patch.OptOut || ProfileChanged(changed)))
        {
            var profile = LearnerProfile.Of(after);
            foreach (var courseId in await snapshots.CoursesOfLearnerAsync(after.Id, cancellationToken))
            {
                // A course deleted since keeps its index row and has no snapshot: nothing to update there.
                await snapshots.UpdateIfExistsAsync(courseId, after.Id, s => s.WithProfile(profile), cancellationToken);
            }
        }
        return changed;
    }

    /// <summary>
    /// <see cref="UpdateAsync"/> for many learners at once: the learners are written several at once, then
    /// each changed profile reaches the learner's snapshots in batches, except those in
    /// <paramref name="writtenAnyway"/> (the caller writes them with the new profile itself). A snapshot the
    /// index names but that no longer exists is not recreated.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, LearnerChanged>> UpdateManyAsync(
        IReadOnlyList<LearnerPatch> patches, IReadOnlySet<(long CourseId, long LearnerId)> writtenAnyway, CancellationToken cancellationToken)
    {
        var results = await learners.UpdateManyAsync(patches, cancellationToken);
        var changed = results.Values.Where(ProfileChanged).ToDictionary(c => c.After!.Id, c => LearnerProfile.Of(c.After!));
        if (changed.Count == 0)
        {
            return results;
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
        return results;
    }

    private static bool ProfileChanged(LearnerChanged changed) =>
        changed.After is { } after && (changed.Before is not { } before || LearnerProfile.Of(before) != LearnerProfile.Of(after));
}
