using System.Globalization;

namespace CourseNotification.Cli.Local;

/// <summary>maildev from node_modules: a real SMTP server, and received mail at <c>GET /api/email</c> on its web port.</summary>
public sealed class MaildevServer : NodeService
{
    private MaildevServer(string script, int smtpPort, int webPort)
        : base(script,
        [
            "--smtp", smtpPort.ToString(CultureInfo.InvariantCulture), "--ip", "127.0.0.1",
            "--web", webPort.ToString(CultureInfo.InvariantCulture), "--web-ip", "127.0.0.1", "--silent",
        ])
    {
        SmtpPort = smtpPort;
        WebUrl = new Uri($"http://127.0.0.1:{webPort.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int SmtpPort { get; }

    public Uri WebUrl { get; }

    public static async Task<MaildevServer> StartAsync()
    {
        var script = Path.Combine(NodeService.FindNodeModules(), "maildev", "dist", "bin", "maildev.js");
        var server = new MaildevServer(script, FreePort(), FreePort());
        try
        {
            await server.WaitForPortsAsync("maildev", TimeSpan.FromSeconds(60), server.SmtpPort, server.WebUrl.Port);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
