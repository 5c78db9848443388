using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strait.Benchmarks.Lifecycle;

namespace Strait.Benchmarks.Logs;

/// <summary>
/// SDK log throughput through the gateway: runs of a job whose endpoint answers 202 are kept executing (heartbeats every
/// 10 s), and N closed-loop clients post <c>/sdk/v1/runs/{id}/log</c> with those runs' tokens as fast as they are
/// answered. Prints calls/s and latency percentiles over the measured window (after a warm-up), and the status codes.
/// Several runs by default: the gateway limits each credential (a run token is one) to its per-credential rate.
/// Options: --clients N (64), --runs N (4), --duration S (20), --warmup S (20), --attach.
/// </summary>
public sealed class LogsBenchmark : IBenchmarkScenario
{
    public string Name => "logs";

    public string Description => "SDK /log calls per second and latency through the gateway, N concurrent clients";

    public bool NeedsInfrastructure => false;

    public async Task RunAsync(Strait.Infrastructure.IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var clients = Option(args, "--clients", 64);
        var runCount = Option(args, "--runs", 4);
        var duration = TimeSpan.FromSeconds(Option(args, "--duration", 20));
        var warmup = TimeSpan.FromSeconds(Option(args, "--warmup", 20));
        await using var system = await StraitSystem.StartOrAttachAsync(args.Contains("--attach"), cancellationToken);
        await using var endpoint = await AcceptingJobEndpoint.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 16, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = system.BaseUrl,
        };
        using var management = new HttpClient { BaseAddress = system.BaseUrl };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.ApiKey);

        var created = await management.PostAsJsonAsync("/v1/jobs", new
        {
            project_id = system.ProjectId,
            name = "logs benchmark",
            slug = "bench-logs-" + Guid.NewGuid().ToString("N")[..8],
            endpoint_url = endpoint.Url.ToString(),
            timeout_secs = 3600,
        }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;

        var runs = new List<(string Id, string Token)>();
        for (var i = 0; i < runCount; i++)
        {
            var trigger = await management.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { i } }, cancellationToken);
            trigger.EnsureSuccessStatusCode();
            var runId = (await trigger.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
            runs.Add((runId, await endpoint.TokenForAsync(runId, cancellationToken)));
        }

        // The tokens are minted at dispatch; the SDK plane accepts them once it has seen the run executing.
        foreach (var (id, token) in runs)
        {
            await WaitUntilAcceptedAsync(http, id, token, cancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeats = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var (id, token) in runs)
                {
                    using var beat = new HttpRequestMessage(HttpMethod.Post, $"/sdk/v1/runs/{id}/heartbeat");
                    beat.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    using var _ = await http.SendAsync(beat, CancellationToken.None);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None);

        Console.WriteLine($"[bench] {clients} clients over {runCount} runs: warm-up {warmup.TotalSeconds:F0} s, then {duration.TotalSeconds:F0} s measured");
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var latencies = new ConcurrentBag<List<double>>();
        var clock = Stopwatch.StartNew();
        var measureFrom = warmup;
        var measureTo = warmup + duration;
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>(64 * 1024);
            var (id, token) = runs[c % runs.Count];
            var path = $"/sdk/v1/runs/{id}/log";
            var sequence = 0;
            while (clock.Elapsed < measureTo && !cancellationToken.IsCancellationRequested)
            {
                var body = Encoding.UTF8.GetBytes($"{{\"message\":\"client {c} line {sequence++}\",\"level\":\"info\",\"data\":{{\"i\":{sequence}}}}}");
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var started = clock.Elapsed;
                HttpStatusCode status;
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    status = response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                var ended = clock.Elapsed;
                if (started >= measureFrom && ended <= measureTo)
                {
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status == HttpStatusCode.Created)
                    {
                        mine.Add((ended - started).TotalMilliseconds);
                    }
                }
            }

            latencies.Add(mine);
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);
        await stop.CancelAsync();
        await heartbeats;

        foreach (var (id, token) in runs)
        {
            using var complete = new HttpRequestMessage(HttpMethod.Post, $"/sdk/v1/runs/{id}/complete") { Content = JsonContent.Create(new { }) };
            complete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var _ = await http.SendAsync(complete, CancellationToken.None);
        }

        var all = latencies.SelectMany(l => l).Order().ToList();
        var seconds = duration.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"logs benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}, gateway {system.BaseUrl}");
        Console.WriteLine($"  {clients} clients, {runCount} runs, {seconds:F0} s measured after {warmup.TotalSeconds:F0} s warm-up");
        Console.WriteLine($"  accepted (201)            {all.Count / seconds,8:F0} calls/s   (n={all.Count})");
        Console.WriteLine($"  latency of 201s           p50 {P(all, 50),7:F1} ms   p95 {P(all, 95),7:F1} ms   p99 {P(all, 99),7:F1} ms   max {(all.Count > 0 ? all[^1] : double.NaN),7:F1} ms");
        Console.WriteLine($"  statuses                  {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}"))}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"logs_per_s={all.Count / seconds:F0} p50_ms={P(all, 50):F1} p95_ms={P(all, 95):F1} p99_ms={P(all, 99):F1}"));
    }

    private static async Task WaitUntilAcceptedAsync(HttpClient http, string runId, string token, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var probe = new HttpRequestMessage(HttpMethod.Post, $"/sdk/v1/runs/{runId}/log") { Content = JsonContent.Create(new { message = "ready" }) };
            probe.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(probe, ct);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"run {runId}: the SDK plane still answers {(int)response.StatusCode}");
            }

            await Task.Delay(50, ct);
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static double P(List<double> sorted, double p) => LatencyStatistics.Percentile(sorted, p);

    private static int Option(IReadOnlyList<string> args, string name, int fallback)
    {
        var index = args.ToList().IndexOf(name);
        return index >= 0 && index + 1 < args.Count ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

/// <summary>A job endpoint that answers 202 (the run stays executing for the SDK) and keeps each run's token.</summary>
public sealed class AcceptingJobEndpoint : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> tokens = new(StringComparer.Ordinal);

    private AcceptingJobEndpoint(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<AcceptingJobEndpoint> StartAsync()
    {
        var port = StraitSystem.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new AcceptingJobEndpoint(app, new Uri($"http://127.0.0.1:{port}/run"));
        app.MapPost("/run", (HttpContext context) =>
        {
            endpoint.tokens[context.Request.Headers["X-Run-ID"].ToString()] = context.Request.Headers["X-Run-Token"].ToString();
            return Results.StatusCode(StatusCodes.Status202Accepted);
        });
        await app.StartAsync();
        return endpoint;
    }

    public async Task<string> TokenForAsync(string runId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!tokens.ContainsKey(runId))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"run {runId} was never dispatched");
            }

            await Task.Delay(20, ct);
        }

        return tokens[runId];
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
