using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Settings;

namespace CourseNotification.Storage;

/// <summary>Per-course settings, one row per course holding its <see cref="CourseSettings"/> as JSON.</summary>
public sealed class CourseSettingsStore(StorageAccount storage)
{
    private const string Partition = "course";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient _table = storage.Table(StorageNames.CourseSettingsTable);

    public async Task<CourseSettings?> GetAsync(long courseId, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageNames.Key(courseId), ["Settings"], cancellationToken);
        return row.HasValue ? JsonSerializer.Deserialize<CourseSettings>(row.Value!.GetString("Settings") ?? "{}", Json) : null;
    }

    public Task SaveAsync(long courseId, CourseSettings settings, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(
            new TableEntity(Partition, StorageNames.Key(courseId)) { ["Settings"] = JsonSerializer.Serialize(settings, Json) },
            TableUpdateMode.Replace, cancellationToken);
}
