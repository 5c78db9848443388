using Strait.Dispatcher.Outbound;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// The one HttpClient for job endpoints. Built here rather than by IHttpClientFactory so no default handler (retries,
/// a total timeout, a proxy) can ever wrap a dispatch: a retried POST would run customer code twice.
/// </summary>
public sealed class EndpointHttpClient : IDisposable
{
    public EndpointHttpClient(OutboundConnector connector)
    {
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            ConnectCallback = connector.ConnectAsync,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
