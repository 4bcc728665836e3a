using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Questionnaires;
using CourseNotification.Signals;

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

/// <summary>A page of a course's period: its answers, and its campaigns' counts of sends (rows of one day's counts, to be added up).</summary>
public sealed record AnswerPage(IReadOnlyList<StoredAnswer> Answers, IReadOnlyList<CampaignDay> Counts);

/// <summary>
/// Answers: partition = course, row key = day|random, so a course's answers of a period are one range
/// read, in pages, and the row key says nothing about who answered. Each day also keeps the count of
/// the questionnaire invitations and first reminders that went out that day (row key day|~|questionnaire|
/// campaign|shard, after the day's answers), so that the same range read gives a report everything.
/// A counted send is a property named after a keyed hash of its ledger key: counting it again (a
/// retried message) adds nothing, parallel workers never conflict (each merge adds its own property),
/// and the hash says nothing about the person without the service's key.
/// </summary>
public sealed class AnswerStore(StorageAccount storage, SigningKeyStore keys)
{
    /// <summary>
    /// A day's sends of one campaign in one course spread over this many rows, so few rows are read per
    /// day. A row holds at most 252 properties: 16 rows count about 4,000 sends a day, above what ACS's
    /// default quota lets a whole account send in a day (2,400); a count beyond is refused, logged, and missing.
    /// </summary>
    private const int Shards = 16;
    private const string InvitationPrefix = "i_", ReminderPrefix = "r_", CountsMark = "~";
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
        };
        PutValues(entity, answer.Values);
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
        await foreach (var page in ReadPeriodAsync(courseId, from, to, cancellationToken))
        {
            yield return page.Answers;
        }
    }

    /// <summary>A course's answers and campaign counts of the days [from, to], in one range read, page by page.</summary>
    public async IAsyncEnumerable<AnswerPage> ReadPeriodAsync(
        long courseId, DateOnly from, DateOnly to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and RowKey ge {Day(from)} and RowKey lt {Day(to) + "|~~"}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages())
        {
            var (answers, counts) = (new List<StoredAnswer>(page.Values.Count), new List<CampaignDay>());
            foreach (var row in page.Values)
            {
                if (IsCountRow(row.RowKey))
                {
                    counts.Add(ToCounts(row));
                }
                else
                {
                    answers.Add(ToAnswer(row));
                }
            }
            yield return new AnswerPage(answers, counts);
        }
    }

    /// <summary>Counts a questionnaire send on its day (idempotent: the same send counts once however often it is counted).</summary>
    public async Task CountSendAsync(SendKey key, CampaignTally tally, CancellationToken cancellationToken)
    {
        var hash = HMACSHA256.HashData(await keys.GetAsync(cancellationToken), Encoding.UTF8.GetBytes(key.ToString()));
        var property = (tally.Reminder ? ReminderPrefix : InvitationPrefix) + Convert.ToHexStringLower(hash, 1, 8);
        var row = new TableEntity(StorageNames.Key(key.CourseId), CountRowKey(tally, hash[0] % Shards)) { [property] = true };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken);
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
            PutValues(row, answer.Values.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)[.. v.Value.Select(scrub)]));
            await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string CountRowKey(CampaignTally tally, int shard) =>
        string.Join('|', Day(tally.Day), CountsMark, tally.Questionnaire, tally.Campaign, shard.ToString("D2", CultureInfo.InvariantCulture));

    private static bool IsCountRow(string rowKey) => rowKey.Length > 11 && rowKey[11] == CountsMark[0];

    private static CampaignDay ToCounts(TableEntity row)
    {
        var parts = row.RowKey.Split('|');
        var (invited, reminded) = (0, 0);
        foreach (var property in row.Keys)
        {
            invited += property.StartsWith(InvitationPrefix, StringComparison.Ordinal) ? 1 : 0;
            reminded += property.StartsWith(ReminderPrefix, StringComparison.Ordinal) ? 1 : 0;
        }
        return new CampaignDay(parts[2], parts[3], DateOnly.ParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), invited, reminded);
    }

    /// <summary>
    /// The answers as JSON, over several properties when longer than one holds (a form of 64 KiB with
    /// accented or escaped text makes up to about 130,000 characters of JSON: always within a row).
    /// </summary>
    private static void PutValues(TableEntity entity, IReadOnlyDictionary<string, IReadOnlyList<string>> values)
    {
        var json = JsonSerializer.Serialize(values, Json);
        if (!LongText.TryPut(entity, "Values", json))
        {
            throw new InvalidOperationException($"An answer of {json.Length} characters of JSON is more than a row holds.");
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
        JsonSerializer.Deserialize<Dictionary<string, IReadOnlyList<string>>>(LongText.Get(e, "Values")!, Json)!)
    {
        RowKey = e.RowKey,
    };
}
