using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Strait.Infrastructure;

/// <summary>Loopback TCP ports nobody listens on, for servers that must be told their port up front.</summary>
public static class FreeTcpPort
{
    private const int LowestPort = 10_000;
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>
    /// A port free on 127.0.0.1 right now (not reserved), chosen below the OS's ephemeral range: an outgoing
    /// connection anywhere on the machine may take an ephemeral port as its source port while a server is down for
    /// a restart, and the server could not get its port back.
    /// </summary>
    public static int Next()
    {
        var firstEphemeral = FirstEphemeralPort();
        if (firstEphemeral - LowestPort >= 1_000)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var candidate = RandomNumberGenerator.GetInt32(LowestPort, firstEphemeral);
                if (IsFree(candidate))
                {
                    return candidate;
                }
            }
        }

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

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for every port to be free: a server killed a moment ago keeps its
    /// sockets until the kernel has torn the process down, which for a large one takes a little while.
    /// </summary>
    public static async Task<bool> WaitUntilFreeAsync(IReadOnlyCollection<int> ports, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!ports.All(IsFree))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(100, ct);
        }

        return true;
    }

    private static int FirstEphemeralPort()
    {
        try
        {
            var range = File.ReadAllText(EphemeralRangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Linux's default; elsewhere (macOS: 49152) the ports below it are just as good.
            return 32_768;
        }
    }
}
