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
