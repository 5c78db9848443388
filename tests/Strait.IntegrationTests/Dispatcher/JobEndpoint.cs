using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.Dispatcher;

/// <summary>
/// A customer's job endpoint on real Kestrel at 127.0.0.1: each test registers a handler under a path of its own, and
/// the endpoint records every request (headers, body) and the most calls it had in flight at once per path.
/// </summary>
public sealed class JobEndpoint : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedRequest> requests = new();
    private readonly ConcurrentDictionary<string, int[]> concurrency = new(StringComparer.Ordinal);
    private readonly WebApplication app;

    private JobEndpoint(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<JobEndpoint> StartAsync()
    {
        var address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(address.ToString());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var endpoint = new JobEndpoint(app, address);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        return endpoint;
    }

    /// <summary>Registers <paramref name="handler"/> under a new path and returns that endpoint's URL.</summary>
    public string Route(Func<HttpContext, Task> handler)
    {
        var path = "/jobs/" + Guid.NewGuid().ToString("N");
        handlers[path] = handler;
        return new Uri(Address, path).ToString();
    }

    public IReadOnlyList<ReceivedRequest> RequestsTo(string url) => requests.Where(r => r.Path == new Uri(url).AbsolutePath).ToList();

    /// <summary>The calls to <paramref name="url"/> in flight now.</summary>
    public int Concurrency(string url) => concurrency.TryGetValue(new Uri(url).AbsolutePath, out var counts) ? Volatile.Read(ref counts[0]) : 0;

    public int MaxConcurrency(string url) => concurrency.TryGetValue(new Uri(url).AbsolutePath, out var counts) ? Volatile.Read(ref counts[1]) : 0;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        requests.Enqueue(new ReceivedRequest(path,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(), DateTimeOffset.UtcNow));

        if (!handlers.TryGetValue(path, out var handler))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var counts = concurrency.GetOrAdd(path, _ => new int[2]);
        var now = Interlocked.Increment(ref counts[0]);
        int seen;
        while (now > (seen = Volatile.Read(ref counts[1])) && Interlocked.CompareExchange(ref counts[1], now, seen) != seen)
        {
        }

        try
        {
            await handler(context);
        }
        finally
        {
            Interlocked.Decrement(ref counts[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
