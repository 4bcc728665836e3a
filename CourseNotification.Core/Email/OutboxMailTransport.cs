using CourseNotification.Settings;
using Microsoft.Extensions.Options;

namespace CourseNotification.Email;

/// <summary>Writes each mail as an .eml file into a folder: for local use without any mail server.</summary>
public sealed class OutboxMailTransport(IOptions<EmailOptions> options, IOptions<PlatformOptions> platform) : IMailTransport
{
    public async Task<string> SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var email = options.Value;
        var folder = Path.GetFullPath(email.Outbox.Directory);
        Directory.CreateDirectory(folder);
        var message = MimeMails.Build(mail, email, platform.Value.SiteName);
        var path = Path.Combine(folder, mail.MessageId.Trim('<', '>').Replace('@', '_') + ".eml");
        await message.WriteToAsync(path, cancellationToken);
        return message.MessageId!;
    }
}
