using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Settings;

namespace CourseNotification.Storage;

/// <summary>Per-course settings, one row per course holding its <see cref="CourseSettings"/> as JSON (over several properties when long: <see cref="LongText"/>).</summary>
public sealed class CourseSettingsStore(StorageAccount storage)
{
    private const string Partition = "course";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient _table = storage.Table(StorageNames.CourseSettingsTable);

    public async Task<CourseSettings?> GetAsync(long courseId, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageNames.Key(courseId), [.. LongText.Names("Settings")], cancellationToken);
        return row.HasValue ? JsonSerializer.Deserialize<CourseSettings>(LongText.Get(row.Value!, "Settings") ?? "{}", Json) : null;
    }

    /// <summary>Every course that has settings, with them, a page of rows at a time (a projected scan of one partition).</summary>
    public async IAsyncEnumerable<(long CourseId, CourseSettings Settings)> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", .. LongText.Names("Settings")], cancellationToken: cancellationToken))
        {
            yield return (StorageNames.ParseKey(row.RowKey), JsonSerializer.Deserialize<CourseSettings>(LongText.Get(row, "Settings") ?? "{}", Json) ?? new CourseSettings());
        }
    }

    /// <summary>Replaces a course's settings; false, and nothing written, when they are too large for one row (<see cref="LongText.MaxChars"/> characters of JSON).</summary>
    public async Task<bool> SaveAsync(long courseId, CourseSettings settings, CancellationToken cancellationToken)
    {
        var row = new TableEntity(Partition, StorageNames.Key(courseId));
        if (!LongText.TryPut(row, "Settings", JsonSerializer.Serialize(settings, Json)))
        {
            return false;
        }
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return true;
    }
}
