using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Strait.Benchmarks.Lifecycle;

/// <summary>
/// Trigger latency through the gateway (sequential triggers), then an open-loop offered rate of triggers against a job
/// whose endpoint answers at once: trigger→dispatch (measured at the endpoint) and trigger→completed (the run's own
/// created_at → finished_at, both stamped by the platform) percentiles, and completed runs per second.
/// Options: --rate N (100), --duration S (20), --warmup N (200), --warmup-seconds S (30), --attach.
/// </summary>
/// <remarks>
/// Figures are for a warm system, as a long-running platform is: first <c>--warmup-seconds</c> of the same open-loop
/// load (its runs discarded), so that the services' code is compiled at its final tier before anything is measured. A
/// service started seconds ago still compiles its hot paths and measures several times slower.
/// </remarks>
public sealed class LifecycleBenchmark : IBenchmarkScenario
{
    public string Name => "lifecycle";

    public string Description => "trigger latency and trigger→completed under an offered rate, through the gateway";

    public bool NeedsInfrastructure => false;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);

    public async Task RunAsync(Strait.Infrastructure.IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var rate = BenchmarkArguments.Number(args, "--rate", 100);
        var duration = BenchmarkArguments.Number(args, "--duration", 20);
        var warmup = BenchmarkArguments.Number(args, "--warmup", 200);
        var warmupSeconds = BenchmarkArguments.Number(args, "--warmup-seconds", 30);
        await using var system = await StraitSystem.StartOrAttachAsync(BenchmarkArguments.Has(args, "--attach"), cancellationToken);
        await using var endpoint = await NoopJobEndpoint.StartAsync();
        using var gateway = new StraitGateway(system);

        if (warmupSeconds > 0)
        {
            Console.WriteLine($"[bench] warm-up: {rate} runs/s for {warmupSeconds} s (not measured)");
            var warmupJob = await gateway.CreateJobAsync(endpoint.Url, cancellationToken);
            var warmed = 0;
            await OpenLoop.OfferAsync(rate, rate * warmupSeconds, async _ =>
            {
                if (await gateway.TriggerRunAsync(warmupJob, cancellationToken) is not null)
                {
                    Interlocked.Increment(ref warmed);
                }
            }, cancellationToken);
            await gateway.WaitForCompletedAsync(warmupJob, warmed, DrainTimeout, cancellationToken);
        }

        var jobId = await gateway.CreateJobAsync(endpoint.Url, cancellationToken);

        // Sequential triggers: the latency one client sees, warm.
        var triggerMs = new List<double>();
        for (var i = 0; i < warmup + 300; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await gateway.TriggerAsync(jobId, cancellationToken);
            response.EnsureSuccessStatusCode();
            if (i >= warmup)
            {
                triggerMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        await gateway.WaitForCompletedAsync(jobId, warmup + 300, DrainTimeout, cancellationToken);

        // Open loop: one trigger every 1/rate seconds whatever the answers do, for the duration.
        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var total = rate * duration;
        var clock = Stopwatch.StartNew();
        var errors = 0;
        var offered = await OpenLoop.OfferAsync(rate, total, async _ =>
        {
            var at = Stopwatch.GetTimestamp();
            if (await gateway.TriggerRunAsync(jobId, cancellationToken) is { } id)
            {
                sent[id] = at;
            }
            else
            {
                Interlocked.Increment(ref errors);
            }
        }, cancellationToken);
        var offeredSeconds = offered.TotalSeconds;
        var completedRuns = await gateway.WaitForCompletedAsync(jobId, warmup + 300 + total, DrainTimeout, cancellationToken);
        var drainedSeconds = clock.Elapsed.TotalSeconds;

        // The sustained rate from the runs' own times (first created → last finished), not from when the polling saw the
        // last one: listing every completed run of the job takes seconds of its own once thousands have completed.
        var measured = completedRuns.Where(r => sent.ContainsKey(r.Id)).ToList();
        var spanSeconds = measured.Count == 0 ? 0
            : (measured.Max(r => r.FinishedAt) - measured.Min(r => r.CreatedAt)).TotalSeconds;

        var toDispatch = sent.Where(s => endpoint.Arrivals.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value, endpoint.Arrivals[s.Key]).TotalMilliseconds).Order().ToList();
        var toCompleted = measured.Select(r => r.Ms).Order().ToList();
        triggerMs.Sort();

        Console.WriteLine();
        Console.WriteLine($"lifecycle benchmark — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, gateway {system.BaseUrl}");
        Console.WriteLine($"  sequential trigger        p50 {P(triggerMs, 50),7:F1} ms   p95 {P(triggerMs, 95),7:F1} ms   p99 {P(triggerMs, 99),7:F1} ms   (n={triggerMs.Count})");
        Console.WriteLine($"  offered                   {rate} runs/s for {duration} s: {sent.Count} triggered, {errors} refused, sent in {offeredSeconds:F1} s");
        Console.WriteLine($"  trigger→dispatch          p50 {P(toDispatch, 50),7:F1} ms   p95 {P(toDispatch, 95),7:F1} ms   p99 {P(toDispatch, 99),7:F1} ms   (n={toDispatch.Count})");
        Console.WriteLine($"  trigger→completed         p50 {P(toCompleted, 50),7:F1} ms   p95 {P(toCompleted, 95),7:F1} ms   p99 {P(toCompleted, 99),7:F1} ms   (n={toCompleted.Count})");
        Console.WriteLine($"  completed                 {(spanSeconds > 0 ? measured.Count / spanSeconds : 0):F0} runs/s ({measured.Count} runs, first created → last finished {spanSeconds:F1} s; all seen completed {drainedSeconds:F1} s after the first trigger)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trigger_p50_ms={P(triggerMs, 50):F1} completed_p50_ms={P(toCompleted, 50):F1} completed_p99_ms={P(toCompleted, 99):F1} dispatch_p99_ms={P(toDispatch, 99):F1}"));
    }

    private static double P(List<double> sorted, double p) => LatencyStatistics.Percentile(sorted, p);
}
