using Azure.Data.Tables;
using CourseNotification.Enrolments;

namespace CourseNotification.Storage;

/// <summary>
/// Learners: partition = learner id, so a person's data is one partition (export and erase are cheap).
/// Writes merge, and carry the opt-out only when it is set: a writer that read the row before the
/// learner opted out (a login, a sync, an import) cannot write it back to "not opted out".
/// </summary>
public sealed class LearnerStore(StorageAccount storage)
{
    private const string Row = "learner";
    private readonly TableClient _table = storage.Table(StorageNames.LearnersTable);

    public async Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(learnerId), Row, cancellationToken: cancellationToken);
        return response.HasValue ? ToLearner(response.Value!) : null;
    }

    public async Task UpsertAsync(Learner learner, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(ToEntity(learner), TableUpdateMode.Merge, cancellationToken);

    /// <summary>The stored learners among <paramref name="learnerIds"/>, read by ranges of ids (a range query where ids come in runs).</summary>
    public async Task<IReadOnlyDictionary<long, Learner>> GetManyAsync(IEnumerable<long> learnerIds, CancellationToken cancellationToken)
    {
        var wanted = learnerIds.ToHashSet();
        var found = new System.Collections.Concurrent.ConcurrentDictionary<long, Learner>();
        await Parallel.ForEachAsync(TableBatches.Ranges(wanted), TableBatches.Options(cancellationToken), async (range, ct) =>
        {
            if (range.Count == 1)
            {
                if (await GetAsync(range.First, ct) is { } learner)
                {
                    found[learner.Id] = learner;
                }
                return;
            }
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {StorageNames.Key(range.First)} and PartitionKey le {StorageNames.Key(range.Last)} and RowKey eq {Row}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
            {
                if (wanted.Contains(StorageNames.ParseKey(entity.PartitionKey)))
                {
                    var learner = ToLearner(entity);
                    found[learner.Id] = learner;
                }
            }
        });
        return found;
    }

    /// <summary>Writes each learner as <see cref="UpsertAsync"/> does (one partition per learner, so one request each), several at once.</summary>
    public Task UpsertManyAsync(IEnumerable<Learner> learners, CancellationToken cancellationToken) =>
        TableBatches.SubmitAsync(_table, learners.Select(l => new TableTransactionAction(TableTransactionActionType.UpsertMerge, ToEntity(l))), cancellationToken);

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
        _table.DeleteEntityAsync(StorageNames.Key(learnerId), Row, Azure.ETag.All, cancellationToken);
}
