using System.Collections.Concurrent;
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

    /// <summary>
    /// <see cref="UpdateAsync"/> for many snapshots at once, in batches: each course's snapshots are read
    /// by key ranges, changed, and written in batch transactions (one partition, at most 100 each), with the
    /// same optimistic concurrency (a batch that lost a race is read again and re-applied). The index rows
    /// of new snapshots are written before them, so a failure in between never leaves a snapshot that its
    /// learner's index misses. Changes of one snapshot apply in order; each <c>Change</c> must be pure. A
    /// snapshot that the changes leave as it was is not written. With <paramref name="onlyExisting"/>, a
    /// snapshot that does not exist is neither created nor changed. Snapshots are written only once
    /// <paramref name="writeAfter"/> (the caller's writes that must land first) has completed; reads and
    /// index rows go ahead meanwhile.
    /// </summary>
    public async Task<IReadOnlyList<SnapshotChanged>> UpdateManyAsync(
        IReadOnlyList<SnapshotChange> changes, bool onlyExisting, CancellationToken cancellationToken, Task? writeAfter = null)
    {
        var results = new SnapshotChanged[changes.Count];
        var byKey = new Dictionary<(long CourseId, long LearnerId), List<int>>();
        for (var i = 0; i < changes.Count; i++)
        {
            var key = (changes[i].CourseId, changes[i].LearnerId);
            if (!byKey.TryGetValue(key, out var indices))
            {
                byKey[key] = indices = [];
            }
            indices.Add(i);
        }
        var pending = byKey.Keys.ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var stored = await ReadManyAsync(pending, cancellationToken);
            var writes = new List<TableTransactionAction>();
            var created = new List<(long CourseId, long LearnerId)>();
            foreach (var key in pending)
            {
                var entity = stored.GetValueOrDefault(key);
                var snapshot = entity is null ? new EnrolmentSnapshot { CourseId = key.CourseId, LearnerId = key.LearnerId } : ToSnapshot(entity);
                var exists = entity is not null;
                foreach (var i in byKey[key])
                {
                    // A change for existing snapshots only skips one that neither exists nor was created by an earlier change here.
                    if (!exists && (onlyExisting || changes[i].OnlyExisting))
                    {
                        results[i] = new SnapshotChanged(snapshot, null, false);
                        continue;
                    }
                    var next = changes[i].Change(snapshot);
                    results[i] = new SnapshotChanged(snapshot, next, entity is not null);
                    snapshot = next;
                    exists = true;
                }
                if (!exists)
                {
                    continue;
                }
                var write = ToEntity(snapshot);
                if (entity is null)
                {
                    writes.Add(new TableTransactionAction(TableTransactionActionType.Add, write));
                    created.Add(key);
                }
                else if (!SameValues(entity, write))
                {
                    writes.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, write, entity.ETag));
                }
            }
            await TableBatches.SubmitAsync(_index, created.Select(k => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace, new TableEntity(StorageNames.Key(k.LearnerId), StorageNames.Key(k.CourseId)))), cancellationToken);
            if (writeAfter is not null)
            {
                await writeAfter;
            }
            var lost = new ConcurrentBag<(long CourseId, long LearnerId)>();
            var last = attempt >= MaxAttempts;
            await Parallel.ForEachAsync(TableBatches.Plan(writes), TableBatches.Options(cancellationToken), async (batch, ct) =>
            {
                try
                {
                    await TableBatches.SubmitOneAsync(_table, batch, ct);
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412 && !last)
                {
                    // Someone else wrote one of these snapshots since we read it: the whole batch was rolled back; read again and re-apply.
                    foreach (var action in batch)
                    {
                        lost.Add((StorageNames.ParseKey(action.Entity.PartitionKey), StorageNames.ParseKey(action.Entity.RowKey)));
                    }
                }
            });
            pending = [.. lost];
        }
        return results;
    }

    /// <summary>The stored snapshots among <paramref name="keys"/>, read a course at a time by ranges of learner ids.</summary>
    private async Task<IReadOnlyDictionary<(long CourseId, long LearnerId), TableEntity>> ReadManyAsync(
        IEnumerable<(long CourseId, long LearnerId)> keys, CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<(long CourseId, long LearnerId), TableEntity>();
        var wanted = keys.ToHashSet();
        var ranges = wanted.GroupBy(k => k.CourseId).SelectMany(g => TableBatches.Ranges(g.Select(k => k.LearnerId)).Select(r => (Course: g.Key, r.First, r.Last, r.Count)));
        await Parallel.ForEachAsync(ranges, TableBatches.Options(cancellationToken), async (range, ct) =>
        {
            var partition = StorageNames.Key(range.Course);
            if (range.Count == 1)
            {
                var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, StorageNames.Key(range.First), cancellationToken: ct);
                if (response.HasValue)
                {
                    found[(range.Course, range.First)] = response.Value!;
                }
                return;
            }
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {StorageNames.Key(range.First)} and RowKey le {StorageNames.Key(range.Last)}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
            {
                var key = (range.Course, StorageNames.ParseKey(entity.RowKey));
                if (wanted.Contains(key))
                {
                    found[key] = entity;
                }
            }
        });
        return found;
    }

    /// <summary>Whether writing <paramref name="next"/> would change nothing of <paramref name="stored"/>.</summary>
    private static bool SameValues(TableEntity stored, TableEntity next) =>
        next.All(p => p.Key is "odata.etag" or "Timestamp" || Equals(p.Value, stored.TryGetValue(p.Key, out var value) ? value : null));

    /// <summary>The ids of the courses each of <paramref name="learnerIds"/> has a snapshot in (read by ranges of learner ids).</summary>
    public async Task<IReadOnlyDictionary<long, IReadOnlyList<long>>> CoursesOfLearnersAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken)
    {
        var wanted = learnerIds.ToHashSet();
        var found = new ConcurrentDictionary<long, ConcurrentBag<long>>();
        await Parallel.ForEachAsync(TableBatches.Ranges(wanted), TableBatches.Options(cancellationToken), async (range, ct) =>
        {
            var filter = range.Count == 1
                ? TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(range.First)}")
                : TableClient.CreateQueryFilter($"PartitionKey ge {StorageNames.Key(range.First)} and PartitionKey le {StorageNames.Key(range.Last)}");
            await foreach (var row in _index.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                var learner = StorageNames.ParseKey(row.PartitionKey);
                if (wanted.Contains(learner))
                {
                    found.GetOrAdd(learner, _ => []).Add(StorageNames.ParseKey(row.RowKey));
                }
            }
        });
        return found.ToDictionary(p => p.Key, p => (IReadOnlyList<long>)[.. p.Value.Order()]);
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

    /// <summary>Who has a snapshot in the course (learner id, first, last and user name, empty when not known), read in one projected range query.</summary>
    public async Task<IReadOnlyList<(long LearnerId, string FirstName, string LastName, string Username)>> PeopleAsync(long courseId, CancellationToken cancellationToken)
    {
        var people = new List<(long, string, string, string)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "FirstName", "LastName", "Username"], cancellationToken: cancellationToken))
        {
            people.Add((StorageNames.ParseKey(row.RowKey), row.GetString("FirstName") ?? "", row.GetString("LastName") ?? "", row.GetString("Username") ?? ""));
        }
        return people;
    }

    /// <summary>The names (first, last, user name) of everyone with a snapshot in the course.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(long courseId, CancellationToken cancellationToken) =>
        (await PeopleAsync(courseId, cancellationToken)).SelectMany(p => new[] { p.FirstName, p.LastName, p.Username }).Where(n => n.Length > 0).ToList();

    private static TableEntity ToEntity(EnrolmentSnapshot s) => new(StorageNames.Key(s.CourseId), StorageNames.Key(s.LearnerId))
    {
        ["Enrolments"] = JsonSerializer.Serialize(s.Enrolments, Json),
        ["Roles"] = s.Roles is null ? null : string.Join(',', s.Roles),
        ["FirstAccess"] = s.FirstAccess,
        ["LastAccess"] = s.LastAccess,
        ["CompletedAt"] = s.CompletedAt,
        // Unix seconds by course module id: about 20 characters an activity, so one property holds 1,600 of them.
        ["Activities"] = s.ActivityCompletions is { Count: > 0 } activities
            ? JsonSerializer.Serialize(activities.ToDictionary(a => a.Key, a => a.Value.ToUnixTimeSeconds()), Json)
            : null,
        ["RoleEvents"] = s.RoleEvents is null ? null : JsonSerializer.Serialize(s.RoleEvents, Json),
        ["Lang"] = s.Profile?.Lang,
        ["TimeZone"] = s.Profile?.TimeZone,
        ["Suspended"] = s.Profile?.Suspended,
        ["OptedOut"] = s.Profile?.OptedOut,
        ["FirstName"] = s.Profile?.FirstName,
        ["LastName"] = s.Profile?.LastName,
        ["Username"] = s.Profile?.Username,
        ["StateAt"] = s.StateAt,
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
            ActivityCompletions = e.GetString("Activities") is { } activities
                ? JsonSerializer.Deserialize<Dictionary<long, long>>(activities, Json)!.ToDictionary(a => a.Key, a => DateTimeOffset.FromUnixTimeSeconds(a.Value))
                : null,
            RoleEvents = e.GetString("RoleEvents") is { } roleEvents ? JsonSerializer.Deserialize<Dictionary<string, RoleEvent>>(roleEvents, Json) : null,
            Profile = lang is null ? null : new LearnerProfile(
                lang, e.GetString("TimeZone") ?? "", e.GetBoolean("Suspended") ?? false, e.GetBoolean("OptedOut") ?? false,
                e.GetString("FirstName") ?? "", e.GetString("LastName") ?? "", e.GetString("Username") ?? ""),
            StateAt = e.GetDateTimeOffset("StateAt"),
        };
    }
}

/// <summary>
/// One change of <see cref="SnapshotStore.UpdateManyAsync"/>: a pure function of the stored snapshot (an empty one when none is);
/// with <see cref="OnlyExisting"/>, skipped when the snapshot neither exists nor was created by an earlier change of the same call.
/// </summary>
public sealed record SnapshotChange(long CourseId, long LearnerId, Func<EnrolmentSnapshot, EnrolmentSnapshot> Change, bool OnlyExisting = false);

/// <summary>What one change saw (<see cref="Before"/>, empty when the snapshot did not exist) and made (<see cref="After"/>, null when it was skipped).</summary>
public sealed record SnapshotChanged(EnrolmentSnapshot Before, EnrolmentSnapshot? After, bool Existed);
