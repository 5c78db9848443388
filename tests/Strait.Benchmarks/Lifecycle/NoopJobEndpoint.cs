using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Strait.Benchmarks.Lifecycle;

/// <summary>A job endpoint that answers 200 at once and notes when each run reached it.</summary>
public sealed class NoopJobEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;

    private NoopJobEndpoint(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Run id → <see cref="Stopwatch.GetTimestamp"/> of its first delivery.</summary>
    public ConcurrentDictionary<string, long> Arrivals { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until every one of <paramref name="ids"/> arrived, or the timeout, or, with <paramref name="stall"/>, until
    /// no new one has arrived for that long; true when all did.
    /// </summary>
    public async Task<bool> WaitForArrivalsAsync(IReadOnlyCollection<string> ids, TimeSpan timeout, CancellationToken ct, TimeSpan? stall = null)
    {
        var deadline = Stopwatch.StartNew();
        var progress = new StallWatch(stall);
        int arrived;
        while ((arrived = ids.Count(Arrivals.ContainsKey)) < ids.Count)
        {
            if (deadline.Elapsed > timeout || progress.Stalled(arrived))
            {
                return false;
            }

            await Task.Delay(50, ct);
        }

        return true;
    }

    public static async Task<NoopJobEndpoint> StartAsync()
    {
        var port = StraitSystem.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new NoopJobEndpoint(app, new Uri($"http://127.0.0.1:{port}/run"));
        app.MapPost("/run", (HttpContext context) =>
        {
            endpoint.Arrivals.TryAdd(context.Request.Headers["X-Run-ID"].ToString(), Stopwatch.GetTimestamp());
            return Results.Text("{}", "application/json");
        });
        await app.StartAsync();
        return endpoint;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
