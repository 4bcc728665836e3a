using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Questionnaires;
using CourseNotification.Signals;

namespace CourseNotification.Storage;

/// <summary>The outcome of trying to claim a send in the ledger.</summary>
public enum ClaimOutcome
{
    /// <summary>This worker holds the send now (<see cref="Claim.ETag"/> proves it).</summary>
    Claimed,
    AlreadySent,
    AlreadyFailed,
    /// <summary>Another worker holds a lease that has not expired.</summary>
    HeldByOther,
}

/// <summary>What became of a request to send a mail again.</summary>
public enum RearmOutcome
{
    /// <summary>Recorded: the next scan queues it.</summary>
    Rearmed,
    /// <summary>An earlier request for the same mail has not gone out yet (a second click, another administrator): nothing added.</summary>
    AlreadyAsked,
}

/// <summary>The result of a claim: the ETag proves this worker holds it; <see cref="FirstTriedAt"/> is when the first worker claimed it.</summary>
public readonly record struct Claim(ClaimOutcome Outcome, ETag ETag, int Attempt, DateTimeOffset FirstTriedAt);

/// <summary>
/// The send ledger (docs/signals.md, "Exactly once"): partition = course, row key = learner|signal|anchor|repeat,
/// so one range read gives the history of a page of learners. A send is claimed by an insert that fails
/// when the row exists; a claim whose lease ran out may be taken over, with the ETag as the proof.
/// </summary>
public sealed class LedgerStore(StorageAccount storage)
{
    private readonly TableClient _table = storage.Table(StorageNames.LedgerTable);

    public static string RowKey(SendKey key) =>
        string.Join('|', StorageNames.Key(key.LearnerId), key.Signal, key.Anchor.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), key.Repeat.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Claims a send. When the caller just read its row marked queued (<paramref name="queued"/>: put back
    /// on the queue over the quota), one conditional update on that version claims it; otherwise, or when
    /// the row changed since, an insert that fails if the row exists, then a look at what became of it.
    /// </summary>
    public async Task<Claim> TryClaimAsync(SendKey key, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken, SendRecord? queued = null)
    {
        if (queued is { State: SendState.Queued, Version: { } version })
        {
            try
            {
                var claimed = await _table.UpdateEntityAsync(ClaimedEntity(key, now, lease, attempt: 1), new ETag(version), TableUpdateMode.Replace, cancellationToken);
                return new Claim(ClaimOutcome.Claimed, claimed.Headers.ETag ?? ETag.All, 1, now);
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Someone moved it since it was read: the general path decides.
            }
        }

        var entity = ClaimedEntity(key, now, lease, attempt: 1);
        try
        {
            var added = await _table.AddEntityAsync(entity, cancellationToken);
            return new Claim(ClaimOutcome.Claimed, added.Headers.ETag ?? ETag.All, 1, now);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Somebody claimed it before: look at what became of it.
        }

        var existing = (await _table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken)).Value;
        var state = Enum.Parse<SendState>(existing.GetString("State")!);
        var waiting = state is SendState.Queued or SendState.Rearmed;
        var firstTry = waiting ? now : existing.GetDateTimeOffset("FirstTryAt") ?? existing.GetDateTimeOffset("At") ?? now;
        switch (state)
        {
            case SendState.Sent:
                return new Claim(ClaimOutcome.AlreadySent, existing.ETag, 0, firstTry);
            case SendState.Failed when !IsRetryable(existing):
                return new Claim(ClaimOutcome.AlreadyFailed, existing.ETag, 0, firstTry);
            case SendState.Claimed when existing.GetDateTimeOffset("LeaseUntil") > now:
                return new Claim(ClaimOutcome.HeldByOther, existing.ETag, 0, firstTry);
        }

        // Queued by a scan, asked to be sent again, a claim whose lease ran out (its worker crashed), or a failure whose tries ran
        // out on a transient error (a redriven or duplicate message tries it again): take it, with the ETag as proof
        // (the row keeps who asked for a send again).
        var attempt = waiting ? 1 : (existing.GetInt32("Attempts") ?? 1) + 1;
        existing["State"] = nameof(SendState.Claimed);
        existing["FirstTryAt"] = firstTry;
        existing["At"] = now;
        existing["LeaseUntil"] = now + lease;
        existing["Attempts"] = attempt;
        try
        {
            var updated = await _table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
            return new Claim(ClaimOutcome.Claimed, updated.Headers.ETag ?? ETag.All, attempt, firstTry);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return new Claim(ClaimOutcome.HeldByOther, existing.ETag, 0, firstTry);
        }
    }

    /// <summary>
    /// Proves, just before the mail is handed to the provider, that this worker still holds the send, and
    /// extends its lease from now: a conditional update on the claim's ETag. Null when the claim was lost
    /// (its lease ran out and another worker took the send over, or it was recorded meanwhile): the caller
    /// must not send. The claim returned carries the new ETag, for the record that follows.
    /// </summary>
    public async Task<Claim?> RenewClaimAsync(SendKey key, Claim claim, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            var renewed = await _table.UpdateEntityAsync(
                new TableEntity(StorageNames.Key(key.CourseId), RowKey(key)) { ["LeaseUntil"] = now + lease },
                claim.ETag, TableUpdateMode.Merge, cancellationToken);
            return claim with { ETag = renewed.Headers.ETag ?? ETag.All };
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public Task MarkSentAsync(SendKey key, ETag claim, DateTimeOffset at, string providerMessageId, CancellationToken cancellationToken) =>
        _table.UpdateEntityAsync(
            new TableEntity(StorageNames.Key(key.CourseId), RowKey(key))
            {
                ["State"] = nameof(SendState.Sent),
                ["At"] = at,
                ["ProviderMessageId"] = providerMessageId,
            },
            claim, TableUpdateMode.Merge, cancellationToken);

    /// <summary>
    /// Records a send that went out, not to be interrupted: not cancellable, tried a few times on a
    /// transient failure. With the claim's ETag when this worker still holds it; if another worker took the
    /// row over meanwhile (this send outlived its lease), the mail went out all the same and the record says
    /// so: "sent" wins over any claim or failure, never the other way round.
    /// </summary>
    public async Task MarkSentSurelyAsync(SendKey key, ETag claim, DateTimeOffset at, string providerMessageId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MarkSentAsync(key, claim, at, providerMessageId, CancellationToken.None);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // The ETag moved: a first try that succeeded although its answer was lost, or a takeover.
                await RecordSentAsync(key, at, providerMessageId);
                return;
            }
            catch (Exception e) when (attempt < 5 && e is RequestFailedException or AggregateException or IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), CancellationToken.None);
            }
        }
    }

    /// <summary>Records that the provider took a send's mail, whatever the row says now (a claim, a failure): the mail went out.</summary>
    public Task RecordSentAsync(SendKey key, DateTimeOffset at, string providerMessageId) =>
        _table.UpsertEntityAsync(
            new TableEntity(StorageNames.Key(key.CourseId), RowKey(key))
            {
                ["State"] = nameof(SendState.Sent),
                ["At"] = at,
                ["ProviderMessageId"] = providerMessageId,
            },
            TableUpdateMode.Merge, CancellationToken.None);

    private static TableEntity ClaimedEntity(SendKey key, DateTimeOffset now, TimeSpan lease, int attempt) => new(StorageNames.Key(key.CourseId), RowKey(key))
    {
        ["State"] = nameof(SendState.Claimed),
        ["At"] = now,
        ["LeaseUntil"] = now + lease,
        ["Attempts"] = attempt,
        ["FirstTryAt"] = now,
    };

    /// <summary>
    /// Records one send put back on the queue (over the quota: it waits for the next window), or moves a
    /// stale queue marker to its new visibility; leaves any other state alone. (Scans record what they
    /// queue in <see cref="QueuedSendStore"/>, a row per batch.)
    /// </summary>
    public async Task MarkQueuedAsync(SendKey key, DateTimeOffset visibleAt, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(QueuedEntity(key, visibleAt), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = (await _table.GetEntityAsync<TableEntity>(StorageNames.Key(key.CourseId), RowKey(key), cancellationToken: cancellationToken)).Value;
            if (existing.GetString("State") == nameof(SendState.Queued))
            {
                existing["At"] = visibleAt;
                try
                {
                    await _table.UpdateEntityAsync(existing, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                catch (RequestFailedException conflict) when (conflict.Status == 412)
                {
                    // A worker claimed it meanwhile: its state wins.
                }
            }
        }
    }

    private static TableEntity QueuedEntity(SendKey key, DateTimeOffset visibleAt) => new(StorageNames.Key(key.CourseId), RowKey(key))
    {
        ["State"] = nameof(SendState.Queued),
        ["At"] = visibleAt,
    };

    /// <summary>
    /// Asks for the sent mail <paramref name="sent"/> to go out again (docs/signals.md, "Send again"): a row
    /// in state <see cref="SendState.Rearmed"/> under the key of its next resend, added by an insert that
    /// fails if the row exists, so two requests at once record one. While an earlier request has not gone
    /// out (asked, queued, being sent), nothing is added. The row says who asked and when.
    /// </summary>
    public async Task<RearmOutcome> RearmAsync(SendKey sent, IReadOnlyList<SendRecord> history, string by, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var latest = Resends.Latest(history, sent, at);
        if (latest is { State: SendState.Rearmed or SendState.Queued or SendState.Claimed })
        {
            return RearmOutcome.AlreadyAsked;
        }
        var key = Resends.KeyOf(sent, latest is null ? 1 : latest.Key.Repeat / Resends.Step + 1);
        try
        {
            await _table.AddEntityAsync(
                new TableEntity(StorageNames.Key(key.CourseId), RowKey(key))
                {
                    ["State"] = nameof(SendState.Rearmed),
                    ["At"] = at,
                    ["RearmedBy"] = by,
                    ["RearmedAt"] = at,
                },
                cancellationToken);
            return RearmOutcome.Rearmed;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return RearmOutcome.AlreadyAsked;
        }
    }

    /// <summary>Gives the claim back after a failed try, so the next try (queue retry) may take it at once.</summary>
    public Task ReleaseAsync(SendKey key, ETag claim, DateTimeOffset at, string error, CancellationToken cancellationToken) =>
        _table.UpdateEntityAsync(
            new TableEntity(StorageNames.Key(key.CourseId), RowKey(key)) { ["LeaseUntil"] = at, ["LastError"] = error },
            claim, TableUpdateMode.Merge, cancellationToken);

    /// <summary>
    /// Records a failure with its reason, visible to administrators (docs/signals.md, "Exactly once": nothing lost silently), by the
    /// worker that holds the claim (<paramref name="claim"/>): if another worker took the send over since,
    /// its outcome is the one that counts and nothing is written. <paramref name="retryable"/>: the tries ran
    /// out on a transient error, and a redriven or duplicate message may try again; otherwise the refusal is
    /// final. Returns whether it was recorded.
    /// </summary>
    public async Task<bool> MarkFailedAsync(SendKey key, ETag claim, DateTimeOffset at, string reason, bool retryable)
    {
        try
        {
            await _table.UpdateEntityAsync(
                new TableEntity(StorageNames.Key(key.CourseId), RowKey(key))
                {
                    ["State"] = nameof(SendState.Failed),
                    ["At"] = at,
                    ["LastError"] = reason,
                    ["Retryable"] = retryable,
                },
                claim, TableUpdateMode.Merge, CancellationToken.None);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>Rows written before failures said whether they were final count as retryable (a redrive reopened them).</summary>
    private static bool IsRetryable(TableEntity row) => row.GetBoolean("Retryable") ?? true;

    /// <summary>
    /// Records an event that happens once (a questionnaire answered) as a row that exists or not: true when
    /// this call added it, false when it was already there. Kept to the day, so it says when, not at what minute.
    /// </summary>
    public async Task<bool> TryRecordOnceAsync(SendKey key, DateOnly day, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(
                new TableEntity(StorageNames.Key(key.CourseId), RowKey(key))
                {
                    ["State"] = nameof(SendState.Sent),
                    ["At"] = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<bool> ExistsAsync(SendKey key, CancellationToken cancellationToken) =>
        (await _table.GetEntityIfExistsAsync<TableEntity>(StorageNames.Key(key.CourseId), RowKey(key), select: ["State"], cancellationToken: cancellationToken)).HasValue;

    /// <summary>
    /// Erasure: a person's sends in a course lose their link to the person (the row moves under an
    /// anonymous key) and keep only what counts: signal, anchor, state, instant.
    /// </summary>
    public async Task AnonymizeAsync(long courseId, long learnerId, CancellationToken cancellationToken)
    {
        var partition = StorageNames.Key(courseId);
        var from = StorageNames.Key(learnerId) + "|";
        var to = StorageNames.Key(learnerId) + "|~";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var parts = row.RowKey.Split('|');
            var anonymous = new TableEntity(partition, string.Join('|', "erased", Guid.NewGuid().ToString("N"), parts[1], parts[2], parts[3]))
            {
                ["State"] = row.GetString("State"),
                ["At"] = row.GetDateTimeOffset("At"),
            };
            // One transaction: the anonymous copy exists if and only if the named row is gone, so a retried
            // erasure never leaves two (and the delete fails the whole if another erasure moved the row first).
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Add, anonymous), new TableTransactionAction(TableTransactionActionType.Delete, row, row.ETag)],
                cancellationToken);
        }
    }

    /// <summary>
    /// How many sends of a course reached each state within [from, to) (erased people's included). The rows
    /// that record an event rather than a mail (a questionnaire answered) are not sends and are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<SendState, int>> CountAsync(long courseId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<SendState, int>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and At ge {from} and At lt {to}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["RowKey", "State"], cancellationToken: cancellationToken))
        {
            // learner|signal|anchor|repeat, or erased|id|signal|anchor|repeat: the signal is third from the end.
            var parts = row.RowKey.Split('|');
            if (parts.Length >= 4 && QuestionnaireSignals.IsAnswered(parts[^3]))
            {
                continue;
            }
            var state = Enum.Parse<SendState>(row.GetString("State")!);
            counts[state] = counts.GetValueOrDefault(state) + 1;
        }
        return counts;
    }

    /// <summary>The history of the learners <paramref name="firstLearnerId"/>..<paramref name="lastLearnerId"/> of a course, in one range read.</summary>
    public async Task<ILookup<long, SendRecord>> ReadRangeAsync(long courseId, long firstLearnerId, long lastLearnerId, CancellationToken cancellationToken)
    {
        var partition = StorageNames.Key(courseId);
        var from = StorageNames.Key(firstLearnerId) + "|";
        var to = StorageNames.Key(lastLearnerId) + "|~";
        var records = new List<SendRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            records.Add(ToRecord(entity));
        }
        return records.ToLookup(r => r.Key.LearnerId);
    }

    /// <summary>
    /// Every send of a course's known learners, in learner order, streamed page by page (erased people's
    /// rows, keyed "erased|...", sort after and are left out): a scan walks it alongside the snapshots.
    /// </summary>
    public async IAsyncEnumerable<SendRecord> ReadCourseAsync(long courseId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.Key(courseId)} and RowKey lt {"a"}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return ToRecord(entity);
        }
    }

    public async Task<IReadOnlyList<SendRecord>> ReadLearnerAsync(long courseId, long learnerId, CancellationToken cancellationToken) =>
        (await ReadRangeAsync(courseId, learnerId, learnerId, cancellationToken))[learnerId].ToList();

    /// <summary>The send a row key (<see cref="RowKey(SendKey)"/>) of a course stands for.</summary>
    public static SendKey ParseRowKey(long courseId, string rowKey)
    {
        var parts = rowKey.Split('|');
        return new SendKey(
            courseId,
            StorageNames.ParseKey(parts[0]),
            parts[1],
            DateOnly.ParseExact(parts[2], "yyyy-MM-dd", CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    private static SendRecord ToRecord(TableEntity e)
    {
        var state = Enum.Parse<SendState>(e.GetString("State")!);
        return new SendRecord(
            ParseRowKey(StorageNames.ParseKey(e.PartitionKey), e.RowKey),
            state,
            e.GetDateTimeOffset("At") ?? default,
            e.GetString("LastError"),
            e.ETag.ToString())
        {
            Retryable = state == SendState.Failed && IsRetryable(e),
            RearmedBy = e.GetString("RearmedBy"),
        };
    }
}
