using System.Net;
using System.Net.Sockets;

namespace CourseNotification.Cli.Hosting;

/// <summary>Whether Kestrel could listen where it is asked to, checked before anything starts; and a free port when any will do.</summary>
public static class Ports
{
    /// <summary>The first URL of <paramref name="urls"/> (<c>;</c>-separated) whose port something else holds, or null.</summary>
    public static Uri? Taken(string urls)
    {
        foreach (var text in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcards (http://*:7071, http://+:7071) are not host names Uri accepts.
            if (!Uri.TryCreate(text.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var url) || url.Port <= 0)
            {
                continue;
            }
            IPAddress? address = url.IsLoopback && !IPAddress.TryParse(url.Host.Trim('[', ']'), out _) ? IPAddress.Loopback
                : IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed
                : null;
            if (address is not null && !CanListen(address, url.Port))
            {
                return url;
            }
        }
        return null;
    }

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanListen(IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // As Kestrel does: a port that only holds connections closing (TIME_WAIT) is free.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
