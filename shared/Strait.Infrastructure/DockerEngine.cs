using System.Net;
using System.Net.Sockets;

namespace Strait.Infrastructure;

/// <summary>Decides, quickly, whether a Docker engine answers, so containers can be used.</summary>
internal static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// True when DOCKER_HOST (unix:// or tcp://) or /var/run/docker.sock leads to an engine that answers
    /// <c>GET /_ping</c> within two seconds. A docker CLI without a daemon, a stale socket file or a hung engine
    /// all mean "no" rather than a wait.
    /// </summary>
    public static async Task<bool> AnswersAsync(string? dockerHost, Action<string> log, CancellationToken ct)
    {
        Uri endpoint;
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            if (!File.Exists(DefaultSocket))
            {
                return false;
            }

            endpoint = new Uri($"unix://{DefaultSocket}");
        }
        else if (!Uri.TryCreate(dockerHost, UriKind.Absolute, out endpoint!))
        {
            log($"DOCKER_HOST={dockerHost} is not a URI; not using containers");
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            var answered = endpoint.Scheme switch
            {
                "unix" => await PingAsync(UnixSocketHandler(endpoint.AbsolutePath), new Uri("http://docker/_ping"), timeout.Token),
                "tcp" => await PingAsync(new SocketsHttpHandler(), new UriBuilder("http", endpoint.Host, endpoint.Port, "_ping").Uri, timeout.Token),
                _ => false,
            };
            if (!answered)
            {
                log($"Docker engine at {endpoint} did not answer; not using containers");
            }

            return answered;
        }
        catch (Exception exception) when (exception is HttpRequestException or SocketException or IOException
            || (exception is OperationCanceledException && !ct.IsCancellationRequested))
        {
            log($"Docker engine at {endpoint} did not answer ({exception.GetType().Name}); not using containers");
            return false;
        }
    }

    private static SocketsHttpHandler UnixSocketHandler(string path) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static async Task<bool> PingAsync(SocketsHttpHandler handler, Uri ping, CancellationToken ct)
    {
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync(ping, ct);
        return response.StatusCode == HttpStatusCode.OK;
    }
}
