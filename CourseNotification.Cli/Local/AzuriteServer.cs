namespace CourseNotification.Cli.Local;

/// <summary>Azurite from node_modules, in memory, on free loopback ports.</summary>
public sealed class AzuriteServer : NodeService
{
    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private AzuriteServer(string script, int blobPort, int queuePort, int tablePort)
        : base(script,
        [
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--silent",
            "--blobHost", "127.0.0.1", "--blobPort", P(blobPort),
            "--queueHost", "127.0.0.1", "--queuePort", P(queuePort),
            "--tableHost", "127.0.0.1", "--tablePort", P(tablePort),
        ])
    {
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};" +
            $"BlobEndpoint=http://127.0.0.1:{P(blobPort)}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{P(queuePort)}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{P(tablePort)}/devstoreaccount1;";
        Ports = [blobPort, queuePort, tablePort];
    }

    public string ConnectionString { get; }

    private int[] Ports { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var script = Path.Combine(FindNodeModules(), "azurite", "dist", "src", "azurite.js");
        var server = new AzuriteServer(script, FreePort(), FreePort(), FreePort());
        try
        {
            await server.WaitForPortsAsync("Azurite", TimeSpan.FromSeconds(60), server.Ports);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static string P(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
