using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Enrolments;

namespace CourseNotification.Storage;

/// <summary>
/// Learners: partition = learner id, so a person's data is one partition (export and erase are cheap).
/// Every write is a read, a <see cref="LearnerPatch"/> applied by the learner's merge rules, and a write
/// guarded by the row's ETag, retried when another writer came in between: a login, a sync or an import
/// that read the row before the learner opted out cannot write "not opted out" back, and an older state
/// never overwrites a newer one.
/// </summary>
public sealed class LearnerStore(StorageAccount storage)
{
    private const string Row = "learner";
    private const int MaxAttempts = 10;
    private readonly TableClient _table = storage.Table(StorageNames.LearnersTable);

    public async Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(learnerId), Row, cancellationToken: cancellationToken);
        return response.HasValue ? ToLearner(response.Value!) : null;
    }

    /// <summary>
    /// Reads the learner, applies <paramref name="patch"/> (<see cref="Learner.With"/>) and writes the result
    /// if nobody wrote in between (ETag); otherwise reads again and re-applies. With
    /// <paramref name="onlyExisting"/>, an unknown learner is not created.
    /// </summary>
    public async Task<LearnerChanged> UpdateAsync(LearnerPatch patch, bool onlyExisting, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(patch.Id), Row, cancellationToken: cancellationToken);
            var stored = response.HasValue ? response.Value! : null;
            if (stored is null && onlyExisting)
            {
                return new LearnerChanged(null, null);
            }
            var (before, after, write) = Apply(stored, patch.Id, [patch]);
            try
            {
                if (write is not null)
                {
                    await SubmitAsync(write, cancellationToken);
                }
                return new LearnerChanged(before, after);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Someone else wrote this learner since we read it: read again and re-apply.
            }
        }
    }

    /// <summary>
    /// <see cref="UpdateAsync"/> for many learners at once: read by ranges of ids, patched (several patches of
    /// one learner in order), written several at once each with its ETag, the writes that lost a race read
    /// again and re-applied. Returns each learner before and after, by id.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, LearnerChanged>> UpdateManyAsync(IReadOnlyList<LearnerPatch> patches, CancellationToken cancellationToken)
    {
        var byLearner = patches.GroupBy(p => p.Id).ToDictionary(g => g.Key, g => g.ToList());
        var results = new ConcurrentDictionary<long, LearnerChanged>();
        IReadOnlyCollection<long> pending = byLearner.Keys;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var stored = await ReadManyAsync(pending, cancellationToken);
            var lost = new ConcurrentBag<long>();
            var last = attempt >= MaxAttempts;
            await Parallel.ForEachAsync(pending, TableBatches.Options(cancellationToken), async (id, ct) =>
            {
                var (before, after, write) = Apply(stored.GetValueOrDefault(id), id, byLearner[id]);
                try
                {
                    if (write is not null)
                    {
                        await SubmitAsync(write, ct);
                    }
                    results[id] = new LearnerChanged(before, after);
                }
                catch (RequestFailedException e) when (e.Status is 409 or 412 && !last)
                {
                    lost.Add(id);
                }
            });
            pending = lost;
        }
        return results;
    }

    /// <summary>The stored learners among <paramref name="learnerIds"/>, read by ranges of ids (a range query where ids come in runs).</summary>
    public async Task<IReadOnlyDictionary<long, Learner>> GetManyAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken) =>
        (await ReadManyAsync(learnerIds, cancellationToken)).ToDictionary(e => e.Key, e => ToLearner(e.Value));

    private async Task<IReadOnlyDictionary<long, TableEntity>> ReadManyAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken)
    {
        var wanted = learnerIds.ToHashSet();
        var found = new ConcurrentDictionary<long, TableEntity>();
        await Parallel.ForEachAsync(TableBatches.Ranges(wanted), TableBatches.Options(cancellationToken), async (range, ct) =>
        {
            if (range.Count == 1)
            {
                var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(range.First), Row, cancellationToken: ct);
                if (response.HasValue)
                {
                    found[range.First] = response.Value!;
                }
                return;
            }
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {StorageNames.Key(range.First)} and PartitionKey le {StorageNames.Key(range.Last)} and RowKey eq {Row}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
            {
                var id = StorageNames.ParseKey(entity.PartitionKey);
                if (wanted.Contains(id))
                {
                    found[id] = entity;
                }
            }
        });
        return found;
    }

    /// <summary>The learner stored in <paramref name="stored"/> (null: none yet) with the patches applied, and the write it needs (null: none).</summary>
    private static (Learner? Before, Learner After, TableTransactionAction? Write) Apply(TableEntity? stored, long learnerId, IEnumerable<LearnerPatch> patches)
    {
        var before = stored is null ? null : ToLearner(stored);
        var after = patches.Aggregate(before ?? new Learner { Id = learnerId }, (learner, patch) => learner.With(patch));
        TableTransactionAction? write = after == before ? null
            : stored is null ? new TableTransactionAction(TableTransactionActionType.Add, ToEntity(after))
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(after), stored.ETag);
        return (before, after, write);
    }

    private Task<Response> SubmitAsync(TableTransactionAction write, CancellationToken cancellationToken) =>
        write.ActionType == TableTransactionActionType.Add
            ? _table.AddEntityAsync(write.Entity, cancellationToken)
            : _table.UpdateEntityAsync(write.Entity, write.ETag, TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Every learner's username and email, in one walk of the table reading those columns only (for the CSV
    /// import's matching of people by username or email: a request per 1,000 learners).
    /// </summary>
    public async Task<IReadOnlyList<(long Id, string Username, string Email)>> IdentitiesAsync(CancellationToken cancellationToken)
    {
        var found = new List<(long, string, string)>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.RowKey == Row, 1000, ["PartitionKey", "Username", "Email"], cancellationToken))
        {
            found.Add((StorageNames.ParseKey(row.PartitionKey), row.GetString("Username") ?? "", row.GetString("Email") ?? ""));
        }
        return found;
    }

    private static TableEntity ToEntity(Learner learner)
    {
        var entity = new TableEntity(StorageNames.Key(learner.Id), Row)
        {
            ["Username"] = learner.Username,
            ["Email"] = learner.Email,
            ["FirstName"] = learner.FirstName,
            ["LastName"] = learner.LastName,
            ["Lang"] = learner.Lang,
            ["TimeZone"] = learner.TimeZone,
            ["Suspended"] = learner.Suspended,
        };
        if (learner.OptedOut)
        {
            entity["OptedOut"] = true;
        }
        if (learner.LastLogin is { } lastLogin)
        {
            entity["LastLogin"] = lastLogin;
        }
        if (learner.StateAt is { } stateAt)
        {
            entity["StateAt"] = stateAt;
        }
        return entity;
    }

    private static Learner ToLearner(TableEntity e) => new()
    {
        Id = StorageNames.ParseKey(e.PartitionKey),
        Username = e.GetString("Username") ?? "",
        Email = e.GetString("Email") ?? "",
        FirstName = e.GetString("FirstName") ?? "",
        LastName = e.GetString("LastName") ?? "",
        Lang = e.GetString("Lang") ?? "",
        TimeZone = e.GetString("TimeZone") ?? "",
        Suspended = e.GetBoolean("Suspended") ?? false,
        OptedOut = e.GetBoolean("OptedOut") ?? false,
        LastLogin = e.GetDateTimeOffset("LastLogin"),
        StateAt = e.GetDateTimeOffset("StateAt"),
    };

    /// <summary>Erases the person's row.</summary>
    public Task DeleteAsync(long learnerId, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(StorageNames.Key(learnerId), Row, ETag.All, cancellationToken);
}

/// <summary>A learner before a change (null: unknown) and after it (null: left unknown).</summary>
public sealed record LearnerChanged(Learner? Before, Learner? After);
