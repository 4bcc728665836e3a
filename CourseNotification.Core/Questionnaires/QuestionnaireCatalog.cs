using System.Text.Json;
using Azure.Data.Tables;
using CourseNotification.Storage;

namespace CourseNotification.Questionnaires;

/// <summary>
/// Questionnaire definitions: the two shipped Qualiopi ones (hot and cold, French and English) and those
/// administrators add or replace through the API, stored in Table Storage (a stored definition with a
/// shipped id replaces the shipped one).
/// </summary>
public sealed class QuestionnaireCatalog(StorageAccount storage)
{
    public const string Hot = "qualiopi-hot";
    public const string Cold = "qualiopi-cold";
    private const string Partition = "questionnaire";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly TableClient _table = storage.Table(StorageNames.QuestionnairesTable);

    public static IReadOnlyDictionary<string, QuestionnaireDefinition> Shipped { get; } =
        new[] { Hot, Cold }.ToDictionary(id => id, Load);

    /// <summary>The definition with that id, or null (also for a text that cannot be an id: it is never looked up).</summary>
    public async Task<QuestionnaireDefinition?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!QuestionnaireDefinition.IsValidId(id))
        {
            return null;
        }
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return row.HasValue
            ? JsonSerializer.Deserialize<QuestionnaireDefinition>(LongText.Get(row.Value!, "Definition")!, Json)
            : Shipped.GetValueOrDefault(id);
    }

    /// <summary>Every questionnaire: the stored ones, and the shipped ones no stored definition replaces; by id.</summary>
    public async Task<IReadOnlyList<QuestionnaireDefinition>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new SortedDictionary<string, QuestionnaireDefinition>(Shipped.ToDictionary(), StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (LongText.Get(row, "Definition") is { } json && JsonSerializer.Deserialize<QuestionnaireDefinition>(json, Json) is { } definition)
            {
                all[definition.Id] = definition;
            }
        }
        return [.. all.Values];
    }

    /// <summary>Saves a definition; false, and nothing written, when it is too large for one row (<see cref="LongText.MaxChars"/> characters of JSON).</summary>
    public async Task<bool> SaveAsync(QuestionnaireDefinition definition, CancellationToken cancellationToken)
    {
        var row = new TableEntity(Partition, definition.Id);
        if (!LongText.TryPut(row, "Definition", JsonSerializer.Serialize(definition, Json)))
        {
            return false;
        }
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return true;
    }

    private static QuestionnaireDefinition Load(string id)
    {
        using var stream = typeof(QuestionnaireCatalog).Assembly.GetManifestResourceStream($"CourseNotification.Questionnaires.Defaults.{id}.json")
            ?? throw new InvalidOperationException($"No shipped questionnaire {id}.");
        return JsonSerializer.Deserialize<QuestionnaireDefinition>(stream, Json)!;
    }
}
