using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace CourseNotification.Storage;

/// <summary>
/// What a questionnaire link stands for: one invitation of one campaign to one learner in one course
/// (the anchor of its ledger key), in the language of the mail, until it expires. A test invitation
/// (an administrator's test send) belongs to nobody and its answers stay out of reports.
/// </summary>
public sealed record Invitation(
    long CourseId, long LearnerId, string Campaign, DateOnly Anchor, string Questionnaire, string Lang, DateTimeOffset ExpiresAt, bool Test)
{
    /// <summary>When a test invitation was answered (real ones are recorded in the ledger).</summary>
    public DateTimeOffset? TestAnsweredAt { get; init; }

    /// <summary>The token's row version, for recording a test answer once.</summary>
    public ETag Version { get; init; }
}

/// <summary>
/// Questionnaire links: each mail (invitation or reminder) gets its own token of 128 random bits,
/// bound to the invitation; only the SHA-256 of the token is stored (row key), so a copy of the table
/// opens nothing.
/// </summary>
public sealed class InvitationStore(StorageAccount storage)
{
    private const string Row = "invitation";
    private const int TokenBytes = 16;
    private readonly TableClient _table = storage.Table(StorageNames.InvitationsTable);

    /// <summary>Stores a new token for the invitation and returns it (URL-safe, 22 characters).</summary>
    public async Task<string> IssueAsync(Invitation invitation, CancellationToken cancellationToken)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(TokenBytes));
        await _table.AddEntityAsync(
            new TableEntity(HashOf(token), Row)
            {
                ["CourseId"] = invitation.CourseId,
                ["LearnerId"] = invitation.LearnerId,
                ["Campaign"] = invitation.Campaign,
                ["Anchor"] = invitation.Anchor.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                ["Questionnaire"] = invitation.Questionnaire,
                ["Lang"] = invitation.Lang,
                ["ExpiresAt"] = invitation.ExpiresAt,
                ["Test"] = invitation.Test,
            },
            cancellationToken);
        return token;
    }

    /// <summary>The invitation a token was issued for, or null for a token never issued (forged, mistyped, erased).</summary>
    public async Task<Invitation?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length != 22 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(HashOf(token), Row, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }
        var e = row.Value!;
        return new Invitation(
            e.GetInt64("CourseId") ?? 0,
            e.GetInt64("LearnerId") ?? 0,
            e.GetString("Campaign")!,
            DateOnly.ParseExact(e.GetString("Anchor")!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            e.GetString("Questionnaire")!,
            e.GetString("Lang")!,
            e.GetDateTimeOffset("ExpiresAt") ?? default,
            e.GetBoolean("Test") ?? false)
        {
            TestAnsweredAt = e.GetDateTimeOffset("TestAnsweredAt"),
            Version = e.ETag,
        };
    }

    /// <summary>Records that a test invitation was answered: true when this call did, false when another submission did first.</summary>
    public async Task<bool> TryMarkTestAnsweredAsync(string token, Invitation invitation, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(HashOf(token), Row) { ["TestAnsweredAt"] = at }, invitation.Version, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Erasure: drops every link issued to the person (a filtered scan; erasures are rare).</summary>
    public async Task<int> DeleteOfLearnerAsync(long learnerId, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"LearnerId eq {learnerId}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            count++;
        }
        return count;
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
