using Azure.Data.Tables;
using CourseNotification.Enrolments;

namespace CourseNotification.Storage;

/// <summary>Learners: partition = learner id, so a person's data is one partition (export and erase are cheap).</summary>
public sealed class LearnerStore(StorageAccount storage)
{
    private const string Row = "learner";
    private readonly TableClient _table = storage.Table(StorageNames.LearnersTable);

    public async Task<Learner?> GetAsync(long learnerId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(learnerId), Row, cancellationToken: cancellationToken);
        return response.HasValue ? ToLearner(response.Value!) : null;
    }

    public async Task UpsertAsync(Learner learner, CancellationToken cancellationToken)
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
            ["OptedOut"] = learner.OptedOut,
            ["LastLogin"] = learner.LastLogin,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
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
    };

    /// <summary>Erases the person's row.</summary>
    public Task DeleteAsync(long learnerId, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(StorageNames.Key(learnerId), Row, Azure.ETag.All, cancellationToken);
}
