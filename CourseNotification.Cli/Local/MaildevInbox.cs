using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CourseNotification.Cli.Local;

/// <summary>A mail as maildev received it.</summary>
public sealed record ReceivedMail(string Id, string To, string Subject, string Text, string Html, string ContentLanguage);

/// <summary>Reads maildev's inbox through its HTTP API (<c>GET /api/email</c>, <c>DELETE /api/email/all</c>).</summary>
public sealed class MaildevInbox(Uri webUrl) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = webUrl };

    public async Task<IReadOnlyList<ReceivedMail>> ReadAsync(CancellationToken cancellationToken)
    {
        var mails = await _http.GetFromJsonAsync<JsonArray>("api/email", cancellationToken) ?? [];
        return mails.OfType<JsonObject>().Select(m => new ReceivedMail(
            m["id"]?.GetValue<string>() ?? "",
            m["to"]?[0]?["address"]?.GetValue<string>() ?? "",
            m["subject"]?.GetValue<string>() ?? "",
            m["text"]?.GetValue<string>() ?? "",
            m["html"]?.GetValue<string>() ?? "",
            m["headers"]?["content-language"]?.GetValue<string>() ?? "")).ToList();
    }

    /// <summary>The mail as it arrived (maildev's JSON leaves some headers out), parsed.</summary>
    public async Task<MimeKit.MimeMessage> SourceAsync(string id, CancellationToken cancellationToken)
    {
        await using var source = await _http.GetStreamAsync($"api/email/{id}/source", cancellationToken);
        return await MimeKit.MimeMessage.LoadAsync(source, cancellationToken);
    }

    /// <summary>Polls until at least <paramref name="count"/> mails arrived, or the timeout passes.</summary>
    public Task<IReadOnlyList<ReceivedMail>> WaitForAsync(int count, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForAsync(_ => true, count, timeout, cancellationToken);

    /// <summary>Polls until at least <paramref name="count"/> mails matching <paramref name="which"/> arrived (returns those), or the timeout passes.</summary>
    public async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(Func<ReceivedMail, bool> which, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var mails = (await ReadAsync(cancellationToken)).Where(which).ToList();
            if (mails.Count >= count || DateTime.UtcNow > deadline)
            {
                return mails;
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    public Task ClearAsync(CancellationToken cancellationToken) => _http.DeleteAsync("api/email/all", cancellationToken);

    public void Dispose() => _http.Dispose();
}
