using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CourseNotification.Cli.Local;

/// <summary>
/// A real service started from the project's node_modules (Azurite, maildev) on free loopback ports,
/// stopped with its whole process tree on dispose.
/// </summary>
public abstract class NodeService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    protected NodeService(string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        if (!_process.Start())
        {
            throw new InvalidOperationException($"Could not start node {script}.");
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The project's node_modules, found upwards from the working folder or from this program.</summary>
    public static string FindNodeModules()
    {
        foreach (var origin in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(origin); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "node_modules");
                if (File.Exists(Path.Combine(candidate, "azurite", "package.json")))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException(
            "node_modules with azurite and maildev was not found above this folder: run 'npm ci' at the root of the repository.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until every port accepts connections, or fails with the service's last output.</summary>
    protected async Task WaitForPortsAsync(string name, TimeSpan timeout, params int[] ports)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var port in ports)
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{name} exited with code {_process.ExitCode}: {LastOutput}");
                }
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
                catch (SocketException)
                {
                    throw new TimeoutException($"{name} did not open port {port} within {timeout.TotalSeconds:0} s: {LastOutput}");
                }
            }
        }
    }

    private string LastOutput
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join(Environment.NewLine, _lastLines);
            }
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }
}
