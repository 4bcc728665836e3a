using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Settings;

namespace CourseNotification.Storage;

/// <summary>One change of a course's settings: who made it, when, and which fields it changed.</summary>
public sealed record SettingsChange(string By, DateTimeOffset At, IReadOnlyList<string> Fields);

/// <summary>What became of a save of a course's settings.</summary>
public enum SettingsSaved
{
    Saved,

    /// <summary>Nothing written: more than <see cref="LongText.MaxChars"/> characters of JSON.</summary>
    TooLarge,

    /// <summary>Nothing written: another save came after the version the saver read.</summary>
    ChangedMeanwhile,
}

/// <summary>
/// Per-course settings, one row per course holding its <see cref="CourseSettings"/> as JSON (over several
/// properties when long: <see cref="LongText"/>), and the latest changes (<see cref="KeptChanges"/>) with who made them.
/// </summary>
public sealed class CourseSettingsStore(StorageAccount storage)
{
    private const string Partition = "course";

    /// <summary>How many changes a course keeps (the latest first).</summary>
    public const int KeptChanges = 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient _table = storage.Table(StorageNames.CourseSettingsTable);

    public async Task<CourseSettings?> GetAsync(long courseId, CancellationToken cancellationToken) =>
        (await GetVersionedAsync(courseId, cancellationToken)).Settings;

    /// <summary>Every course that has settings, with them, a page of rows at a time (a projected scan of one partition).</summary>
    public async IAsyncEnumerable<(long CourseId, CourseSettings Settings)> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", .. LongText.Names("Settings")], cancellationToken: cancellationToken))
        {
            yield return (StorageNames.ParseKey(row.RowKey), JsonSerializer.Deserialize<CourseSettings>(LongText.Get(row, "Settings") ?? "{}", Json) ?? new CourseSettings());
        }
    }

    /// <summary>The latest changes of a course's settings, the latest first (none before changes were recorded).</summary>
    public async Task<IReadOnlyList<SettingsChange>> GetChangesAsync(long courseId, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageNames.Key(courseId), ["Changes"], cancellationToken);
        return row.HasValue ? ChangesOf(row.Value!) : [];
    }

    /// <summary>A course's settings with the version they were read at (empty: none stored yet), for a save that must not overwrite another's (<see cref="SaveOverAsync"/>).</summary>
    public async Task<(CourseSettings? Settings, string Version)> GetVersionedAsync(long courseId, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageNames.Key(courseId), [.. LongText.Names("Settings")], cancellationToken);
        return row.HasValue ? (JsonSerializer.Deserialize<CourseSettings>(LongText.Get(row.Value!, "Settings") ?? "{}", Json), row.Value!.ETag.ToString()) : (null, "");
    }

    /// <summary>
    /// Replaces a course's settings, recording <paramref name="change"/> when given; false, and nothing
    /// written, when they are too large for one row (<see cref="LongText.MaxChars"/> characters of JSON).
    /// </summary>
    public async Task<bool> SaveAsync(long courseId, CourseSettings settings, CancellationToken cancellationToken, SettingsChange? change = null) =>
        await WriteAsync(courseId, settings, change, null, cancellationToken) == SettingsSaved.Saved;

    /// <summary>
    /// Replaces a course's settings only if they are still at <paramref name="version"/> (<see cref="GetVersionedAsync"/>),
    /// recording <paramref name="change"/>: a person who saves what they read never overwrites, unseen, what another saved meanwhile.
    /// </summary>
    public Task<SettingsSaved> SaveOverAsync(long courseId, CourseSettings settings, string version, SettingsChange change, CancellationToken cancellationToken) =>
        WriteAsync(courseId, settings, change, version, cancellationToken);

    private async Task<SettingsSaved> WriteAsync(long courseId, CourseSettings settings, SettingsChange? change, string? version, CancellationToken cancellationToken)
    {
        var row = new TableEntity(Partition, StorageNames.Key(courseId));
        if (!LongText.TryPut(row, "Settings", JsonSerializer.Serialize(settings, Json)))
        {
            return SettingsSaved.TooLarge;
        }
        if (change is null)
        {
            await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
            return SettingsSaved.Saved;
        }
        // The change joins the list the row holds: read with its version, written only over that version.
        for (var attempt = 1; ; attempt++)
        {
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, row.RowKey, ["Changes"], cancellationToken);
            if (version is not null && version != (existing.HasValue ? existing.Value!.ETag.ToString() : ""))
            {
                return SettingsSaved.ChangedMeanwhile;
            }
            var changes = existing.HasValue ? ChangesOf(existing.Value!) : [];
            row["Changes"] = JsonSerializer.Serialize(changes.Prepend(Bounded(change)).Take(KeptChanges), Json);
            try
            {
                if (existing.HasValue)
                {
                    await _table.UpdateEntityAsync(row, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await _table.AddEntityAsync(row, cancellationToken);
                }
                return SettingsSaved.Saved;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && version is not null)
            {
                // Another save came in between the check and the write: the version read before is gone.
                return SettingsSaved.ChangedMeanwhile;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 5)
            {
                // Another save came in between: read its list again.
            }
        }
    }

    /// <summary>A change small enough that <see cref="KeptChanges"/> of them fit a property (32K characters).</summary>
    private static SettingsChange Bounded(SettingsChange change) => change with
    {
        By = change.By.Length > 100 ? change.By[..100] : change.By,
        Fields = change.Fields.Count > 12 ? [.. change.Fields.Take(12), $"(+{change.Fields.Count - 12})"] : change.Fields,
    };

    private static List<SettingsChange> ChangesOf(TableEntity row) =>
        row.GetString("Changes") is { Length: > 0 } text ? JsonSerializer.Deserialize<List<SettingsChange>>(text, Json) ?? [] : [];
}
