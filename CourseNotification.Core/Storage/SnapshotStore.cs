using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Enrolments;

namespace CourseNotification.Storage;

/// <summary>
/// Enrolment snapshots: partition = course id, row key = learner id, so a course scans as a range and
/// its ledger rows (same keys) line up page by page. Updates are optimistic (ETag) and retried.
/// </summary>
public sealed class SnapshotStore(StorageAccount storage)
{
    private const int MaxAttempts = 10;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient _table = storage.Table(StorageNames.SnapshotsTable);
    private readonly TableClient _index = storage.Table(StorageNames.LearnerCoursesTable);

    public async Task<EnrolmentSnapshot?> GetAsync(long courseId, long learnerId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(courseId), StorageNames.Key(learnerId), cancellationToken: cancellationToken);
        return response.HasValue ? ToSnapshot(response.Value!) : null;
    }

    /// <summary>
    /// Reads the snapshot, applies <paramref name="change"/> and writes the result if nobody wrote in
    /// between (ETag); otherwise reads again and re-applies. <paramref name="change"/> must be pure.
    /// </summary>
    public async Task<EnrolmentSnapshot> UpdateAsync(
        long courseId, long learnerId, Func<EnrolmentSnapshot, EnrolmentSnapshot> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(courseId), StorageNames.Key(learnerId), cancellationToken: cancellationToken);
            var current = response.HasValue ? ToSnapshot(response.Value!) : new EnrolmentSnapshot { CourseId = courseId, LearnerId = learnerId };
            var next = change(current);
            var entity = ToEntity(next);
            try
            {
                if (response.HasValue)
                {
                    await _table.UpdateEntityAsync(entity, response.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    // The index row first: a failure in between leaves an index row without its snapshot
                    // (harmless: erasure finds nothing there), never a snapshot erasure cannot find.
                    await _index.UpsertEntityAsync(new TableEntity(StorageNames.Key(learnerId), StorageNames.Key(courseId)), TableUpdateMode.Replace, cancellationToken);
                    await _table.AddEntityAsync(entity, cancellationToken);
                }
                return next;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Someone else wrote this snapshot since we read it: read again and re-apply.
            }
        }
    }

    /// <summary>Like <see cref="UpdateAsync"/>, but only when the snapshot exists (an access by someone not enrolled creates nothing).</summary>
    public async Task<bool> UpdateIfExistsAsync(long courseId, long learnerId, Func<EnrolmentSnapshot, EnrolmentSnapshot> change, CancellationToken cancellationToken)
    {
        if (await GetAsync(courseId, learnerId, cancellationToken) is null)
        {
            return false;
        }
        await UpdateAsync(courseId, learnerId, change, cancellationToken);
        return true;
    }

    /// <summary>
    /// Removes a snapshot (its course was deleted). Its index row stays: the course still holds the
    /// person's sends and answers, and erasure finds them through it.
    /// </summary>
    public Task DeleteAsync(long courseId, long learnerId, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(StorageNames.Key(courseId), StorageNames.Key(learnerId), ETag.All, cancellationToken);

    /// <summary>Erasure: removes a snapshot and then its index row (a failure in between is retried through the index).</summary>
    public async Task EraseAsync(long courseId, long learnerId, CancellationToken cancellationToken)
    {
        await DeleteAsync(courseId, learnerId, cancellationToken);
        await _index.DeleteEntityAsync(StorageNames.Key(learnerId), StorageNames.Key(courseId), ETag.All, cancellationToken);
    }

    /// <summary>The ids of the courses a learner has, or had before the course was deleted, a snapshot in.</summary>
    public async Task<IReadOnlyList<long>> CoursesOfLearnerAsync(long learnerId, CancellationToken cancellationToken)
    {
        var courses = new List<long>();
        await foreach (var row in _index.QueryAsync<TableEntity>(e => e.PartitionKey == StorageNames.Key(learnerId), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            courses.Add(StorageNames.ParseKey(row.RowKey));
        }
        return courses;
    }

    /// <summary>A course's snapshots in learner-id order, one page at a time.</summary>
    public async IAsyncEnumerable<IReadOnlyList<EnrolmentSnapshot>> ListPagesAsync(
        long courseId, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = _table.QueryAsync<TableEntity>(e => e.PartitionKey == StorageNames.Key(courseId), pageSize, cancellationToken: cancellationToken);
        await foreach (Page<TableEntity> page in query.AsPages())
        {
            yield return page.Values.Select(ToSnapshot).ToList();
        }
    }

    /// <summary>The names (first, last, user name) of everyone with a snapshot in the course, read in one projected range query.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(long courseId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["FirstName", "LastName", "Username"], cancellationToken: cancellationToken))
        {
            foreach (var column in new[] { "FirstName", "LastName", "Username" })
            {
                if (row.GetString(column) is { Length: > 0 } name)
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    private static TableEntity ToEntity(EnrolmentSnapshot s) => new(StorageNames.Key(s.CourseId), StorageNames.Key(s.LearnerId))
    {
        ["Enrolments"] = JsonSerializer.Serialize(s.Enrolments, Json),
        ["Roles"] = s.Roles is null ? null : string.Join(',', s.Roles),
        ["FirstAccess"] = s.FirstAccess,
        ["LastAccess"] = s.LastAccess,
        ["CompletedAt"] = s.CompletedAt,
        ["RoleEvents"] = s.RoleEvents is null ? null : JsonSerializer.Serialize(s.RoleEvents, Json),
        ["Lang"] = s.Profile?.Lang,
        ["TimeZone"] = s.Profile?.TimeZone,
        ["Suspended"] = s.Profile?.Suspended,
        ["OptedOut"] = s.Profile?.OptedOut,
        ["FirstName"] = s.Profile?.FirstName,
        ["LastName"] = s.Profile?.LastName,
        ["Username"] = s.Profile?.Username,
    };

    private static EnrolmentSnapshot ToSnapshot(TableEntity e)
    {
        var lang = e.GetString("Lang");
        return new EnrolmentSnapshot
        {
            CourseId = StorageNames.ParseKey(e.PartitionKey),
            LearnerId = StorageNames.ParseKey(e.RowKey),
            Enrolments = JsonSerializer.Deserialize<List<Enrolment>>(e.GetString("Enrolments") ?? "[]", Json) ?? [],
            Roles = e.GetString("Roles") is { } roles ? roles.Split(',', StringSplitOptions.RemoveEmptyEntries) : null,
            FirstAccess = e.GetDateTimeOffset("FirstAccess"),
            LastAccess = e.GetDateTimeOffset("LastAccess"),
            CompletedAt = e.GetDateTimeOffset("CompletedAt"),
            RoleEvents = e.GetString("RoleEvents") is { } roleEvents ? JsonSerializer.Deserialize<Dictionary<string, RoleEvent>>(roleEvents, Json) : null,
            Profile = lang is null ? null : new LearnerProfile(
                lang, e.GetString("TimeZone") ?? "", e.GetBoolean("Suspended") ?? false, e.GetBoolean("OptedOut") ?? false,
                e.GetString("FirstName") ?? "", e.GetString("LastName") ?? "", e.GetString("Username") ?? ""),
        };
    }
}
