using System.Net;
using System.Net.Sockets;

namespace Strait.Infrastructure;

/// <summary>Loopback TCP ports nobody listens on, for servers that must be told their port up front.</summary>
public static class FreeTcpPort
{
    /// <summary>A port the OS just handed out for 127.0.0.1; free now, not reserved.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when a server could listen on <paramref name="port"/> on 127.0.0.1 right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);

            // PostgreSQL and Erlang listen with SO_REUSEADDR, so a port that only has connections in TIME_WAIT
            // (say, from before a restart) is free to them, and must count as free here too.
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
