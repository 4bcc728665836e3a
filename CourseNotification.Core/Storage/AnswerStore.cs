using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// One submitted questionnaire: which course, campaign and questionnaire, the language it was answered
/// in, the day (not the time), whether it was a test, and each question's values. <see cref="LearnerId"/>
/// is set only for a named questionnaire; an anonymous answer carries nothing that leads to the person.
/// </summary>
public sealed record StoredAnswer(
    long CourseId, string Campaign, string Questionnaire, string Lang, DateOnly SubmittedOn, bool Test, long? LearnerId,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Values)
{
    /// <summary>The row it is stored under (set when read or written).</summary>
    public string? RowKey { get; init; }
}

/// <summary>
/// Answers: partition = course, row key = day|random, so a course's answers of a period are one range
/// read, in pages, and the row key says nothing about who answered.
/// </summary>
public sealed class AnswerStore(StorageAccount storage)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TableClient _table = storage.Table(StorageNames.AnswersTable);

    public async Task<StoredAnswer> AddAsync(StoredAnswer answer, CancellationToken cancellationToken)
    {
        var rowKey = $"{answer.SubmittedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}|{Guid.NewGuid():N}";
        var entity = new TableEntity(StorageNames.Key(answer.CourseId), rowKey)
        {
            ["Campaign"] = answer.Campaign,
            ["Questionnaire"] = answer.Questionnaire,
            ["Lang"] = answer.Lang,
            ["Test"] = answer.Test,
            ["Values"] = JsonSerializer.Serialize(answer.Values, Json),
        };
        if (answer.LearnerId is { } learnerId)
        {
            entity["LearnerId"] = learnerId;
        }
        await _table.AddEntityAsync(entity, cancellationToken);
        return answer with { RowKey = rowKey };
    }

    /// <summary>Takes back an answer whose submission lost a race (the invitation was answered meanwhile).</summary>
    public Task DeleteAsync(StoredAnswer answer, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(StorageNames.Key(answer.CourseId), answer.RowKey, ETag.All, cancellationToken);

    /// <summary>A course's answers submitted on the days [from, to], page by page, in day order.</summary>
    public async IAsyncEnumerable<IReadOnlyList<StoredAnswer>> ListPagesAsync(
        long courseId, DateOnly from, DateOnly to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var low = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var high = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|~";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and RowKey ge {low} and RowKey lt {high}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages())
        {
            yield return [.. page.Values.Select(ToAnswer)];
        }
    }

    /// <summary>The named answers a person gave in a course (anonymous ones cannot be found, by design).</summary>
    public async Task<IReadOnlyList<StoredAnswer>> OfLearnerAsync(long courseId, long learnerId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and LearnerId eq {learnerId}");
        var answers = new List<StoredAnswer>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            answers.Add(ToAnswer(row));
        }
        return answers;
    }

    /// <summary>
    /// Erasure: a person's named answers in a course lose their link to the person and stay in the figures;
    /// <paramref name="scrub"/> takes the person out of what they wrote (their own name in a comment).
    /// </summary>
    public async Task AnonymizeAsync(long courseId, long learnerId, Func<string, string> scrub, CancellationToken cancellationToken)
    {
        foreach (var answer in await OfLearnerAsync(courseId, learnerId, cancellationToken))
        {
            var row = (await _table.GetEntityAsync<TableEntity>(StorageNames.Key(courseId), answer.RowKey, cancellationToken: cancellationToken)).Value;
            row.Remove("LearnerId");
            row["Values"] = JsonSerializer.Serialize(answer.Values.ToDictionary(v => v.Key, v => v.Value.Select(scrub).ToList()), Json);
            await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static StoredAnswer ToAnswer(TableEntity e) => new(
        StorageNames.ParseKey(e.PartitionKey),
        e.GetString("Campaign")!,
        e.GetString("Questionnaire")!,
        e.GetString("Lang")!,
        DateOnly.ParseExact(e.RowKey[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture),
        e.GetBoolean("Test") ?? false,
        e.GetInt64("LearnerId"),
        JsonSerializer.Deserialize<Dictionary<string, IReadOnlyList<string>>>(e.GetString("Values")!, Json)!)
    {
        RowKey = e.RowKey,
    };
}
