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

    /// <summary>True when <paramref name="port"/> can be bound on 127.0.0.1 right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
