using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Strait.Benchmarks.Lifecycle;

/// <summary>
/// Trigger latency through the gateway (sequential triggers), then an open-loop offered rate of triggers against a job
/// whose endpoint answers at once: trigger→dispatch (measured at the endpoint) and trigger→completed (the run's own
/// created_at → finished_at, both stamped by the platform) percentiles, and completed runs per second.
/// Options: --rate N (100), --duration S (20), --warmup N (200), --attach.
/// </summary>
public sealed class LifecycleBenchmark : IBenchmarkScenario
{
    public string Name => "lifecycle";

    public string Description => "trigger latency and trigger→completed under an offered rate, through the gateway";

    public bool NeedsInfrastructure => false;

    public async Task RunAsync(Strait.Infrastructure.IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var rate = Option(args, "--rate", 100);
        var duration = Option(args, "--duration", 20);
        var warmup = Option(args, "--warmup", 200);
        await using var system = await StraitSystem.StartOrAttachAsync(args.Contains("--attach"), cancellationToken);
        await using var endpoint = await NoopJobEndpoint.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = system.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.ApiKey);

        var created = await http.PostAsJsonAsync("/v1/jobs", new
        {
            project_id = system.ProjectId,
            name = "benchmark",
            slug = "bench-" + Guid.NewGuid().ToString("N")[..8],
            endpoint_url = endpoint.Url.ToString(),
        }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;

        // Sequential triggers: the latency one client sees, warm.
        var triggerMs = new List<double>();
        for (var i = 0; i < warmup + 300; i++)
        {
            var started = Stopwatch.GetTimestamp();
            (await TriggerAsync(http, jobId, cancellationToken)).EnsureSuccessStatusCode();
            if (i >= warmup)
            {
                triggerMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        await WaitForDrainAsync(http, jobId, warmup + 300, cancellationToken);

        // Open loop: one trigger every 1/rate seconds whatever the answers do, for the duration.
        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var inFlight = new List<Task>();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var total = rate * duration;
        var clock = Stopwatch.StartNew();
        var errors = 0;
        for (var i = 0; i < total; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            inFlight.Add(Task.Run(async () =>
            {
                var at = Stopwatch.GetTimestamp();
                using var response = await TriggerAsync(http, jobId, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                var id = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
                sent[id] = at;
            }, cancellationToken));
        }

        await Task.WhenAll(inFlight);
        var offeredSeconds = clock.Elapsed.TotalSeconds;
        var completedRuns = await WaitForDrainAsync(http, jobId, warmup + 300 + total, cancellationToken);
        var drainedSeconds = clock.Elapsed.TotalSeconds;

        var toDispatch = sent.Where(s => endpoint.Arrivals.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value, endpoint.Arrivals[s.Key]).TotalMilliseconds).Order().ToList();
        var toCompleted = completedRuns.Where(r => sent.ContainsKey(r.Id)).Select(r => r.Ms).Order().ToList();
        triggerMs.Sort();

        Console.WriteLine();
        Console.WriteLine($"lifecycle benchmark — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, gateway {system.BaseUrl}");
        Console.WriteLine($"  sequential trigger        p50 {P(triggerMs, 50),7:F1} ms   p95 {P(triggerMs, 95),7:F1} ms   p99 {P(triggerMs, 99),7:F1} ms   (n={triggerMs.Count})");
        Console.WriteLine($"  offered                   {rate} runs/s for {duration} s: {sent.Count} triggered, {errors} refused, sent in {offeredSeconds:F1} s");
        Console.WriteLine($"  trigger→dispatch          p50 {P(toDispatch, 50),7:F1} ms   p95 {P(toDispatch, 95),7:F1} ms   p99 {P(toDispatch, 99),7:F1} ms   (n={toDispatch.Count})");
        Console.WriteLine($"  trigger→completed         p50 {P(toCompleted, 50),7:F1} ms   p95 {P(toCompleted, 95),7:F1} ms   p99 {P(toCompleted, 99),7:F1} ms   (n={toCompleted.Count})");
        Console.WriteLine($"  completed                 {toCompleted.Count / drainedSeconds:F0} runs/s over {drainedSeconds:F1} s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trigger_p50_ms={P(triggerMs, 50):F1} completed_p50_ms={P(toCompleted, 50):F1} completed_p99_ms={P(toCompleted, 99):F1} dispatch_p99_ms={P(toDispatch, 99):F1}"));
    }

    private static Task<HttpResponseMessage> TriggerAsync(HttpClient http, string jobId, CancellationToken ct) =>
        http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } }, ct);

    /// <summary>Waits until <paramref name="expected"/> runs of the job completed; returns each run's created→finished time.</summary>
    private static async Task<List<(string Id, double Ms)>> WaitForDrainAsync(HttpClient http, string jobId, int expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var runs = new List<(string Id, double Ms)>();
            string? cursor = null;
            do
            {
                var page = await http.GetFromJsonAsync<JsonElement>(
                    $"/v1/runs?job_id={jobId}&status=completed&limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), ct);
                foreach (var run in page.GetProperty("data").EnumerateArray())
                {
                    var ms = (run.GetProperty("finished_at").GetDateTimeOffset() - run.GetProperty("created_at").GetDateTimeOffset()).TotalMilliseconds;
                    runs.Add((run.GetProperty("id").GetString()!, ms));
                }

                cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("next_cursor").GetString() : null;
            }
            while (cursor is not null);

            if (runs.Count >= expected || DateTime.UtcNow > deadline)
            {
                return runs;
            }

            await Task.Delay(500, ct);
        }
    }

    private static double P(List<double> sorted, double p) => LatencyStatistics.Percentile(sorted, p);

    private static int Option(IReadOnlyList<string> args, string name, int fallback)
    {
        var index = args.ToList().IndexOf(name);
        return index >= 0 && index + 1 < args.Count ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
