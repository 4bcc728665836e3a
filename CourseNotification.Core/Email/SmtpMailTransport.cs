using System.Collections.Concurrent;
using CourseNotification.Settings;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace CourseNotification.Email;

/// <summary>
/// SMTP through MailKit, for any relay (ACS's own included) and for maildev locally. Up to
/// <c>Email__Smtp__Connections</c> connections are kept open and reused, one send at a time each.
/// </summary>
public sealed class SmtpMailTransport : IMailTransport, IAsyncDisposable
{
    private readonly IOptions<EmailOptions> _options;
    private readonly IOptions<PlatformOptions> _platform;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<SmtpClient> _idle = [];

    /// <summary>How long a mail the relay deferred (4xx) waits before its next try.</summary>
    private static readonly TimeSpan LaterTry = TimeSpan.FromMinutes(1);

    public SmtpMailTransport(IOptions<EmailOptions> options, IOptions<PlatformOptions> platform)
    {
        _options = options;
        _platform = platform;
        _slots = new SemaphoreSlim(options.Value.Smtp.Connections);
    }

    public async Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var email = _options.Value;
        var message = MimeMails.Build(mail, email, _platform.Value.SiteName);
        await _slots.WaitAsync(cancellationToken);
        var client = _idle.TryTake(out var open) ? open : new SmtpClient();
        try
        {
            await EnsureConnectedAsync(client, email.Smtp, cancellationToken);
            // Once the conversation starts it is finished: cut off after the relay took the mail, it would
            // look unsent, and its retry would be a second mail. Only the wait and the connection obey the budget.
            await client.SendAsync(message, CancellationToken.None);
            _idle.Add(client);
            return message.MessageId!;
        }
        catch (SmtpCommandException refused)
        {
            // The relay answered: 5xx is its final word (the reason goes to the ledger), 4xx asks to come back later.
            client.Dispose();
            var code = (int)refused.StatusCode;
            if (code is >= 500 and < 600)
            {
                throw new MailRejectedException($"The SMTP relay refused the mail ({code}): {refused.Message}");
            }
            if (code is >= 400 and < 500)
            {
                throw new MailThrottledException(LaterTry);
            }
            throw;
        }
        catch
        {
            // A broken connection is dropped, so the next try starts clean.
            client.Dispose();
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }

    private static async Task EnsureConnectedAsync(SmtpClient client, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        if (client.IsConnected)
        {
            return;
        }
        await client.ConnectAsync(smtp.Host, smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security, ignoreCase: true), cancellationToken);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            await client.AuthenticateAsync(smtp.User, smtp.Password, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true, CancellationToken.None);
            }
            client.Dispose();
        }
        _slots.Dispose();
    }
}
