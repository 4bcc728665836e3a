using CourseNotification.Settings;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace CourseNotification.Email;

/// <summary>
/// SMTP through MailKit, for any relay (ACS's own included) and for maildev locally. One connection is
/// kept open and reused; sends on it are serialised.
/// </summary>
public sealed class SmtpMailTransport(IOptions<EmailOptions> options, IOptions<PlatformOptions> platform) : IMailTransport, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SmtpClient _client = new();

    public async Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var email = options.Value;
        var message = MimeMails.Build(mail, email, platform.Value.SiteName);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureConnectedAsync(email.Smtp, cancellationToken);
            await _client.SendAsync(message, cancellationToken);
            return message.MessageId!;
        }
        catch
        {
            // A broken connection is dropped, so the next try starts clean.
            await _client.DisconnectAsync(quit: false, CancellationToken.None);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureConnectedAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            return;
        }
        await _client.ConnectAsync(smtp.Host, smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security, ignoreCase: true), cancellationToken);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            await _client.AuthenticateAsync(smtp.User, smtp.Password, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        _client.Dispose();
        _gate.Dispose();
    }
}
