using System.Collections.Concurrent;
using System.Diagnostics;
using Strait.Benchmarks.Compare;
using Strait.Benchmarks.Lifecycle;

namespace Strait.Benchmarks.Hangfire;

/// <summary>
/// Hangfire's side: backlog mode enqueues the N jobs with no server running, then starts the server (the time counts
/// from its start); rate mode starts the server, lets it settle, and enqueues open loop. The server stops after each round.
/// </summary>
public sealed class HangfireRounds(HangfireSystem hangfire, NoopJobEndpoint endpoint, CostMeter meter, int workers)
{
    public const string Name = "hangfire";

    /// <summary>Server start to fetching: announced, workers listening.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A round stops waiting when no job has moved for this long. Hangfire.PostgreSql now and then leaves a job fetched
    /// but never performed (state Enqueued, fetchedat set; seen about once in 3,000 jobs), invisible to other workers
    /// for its 30-minute invisibility timeout: the round then counts it as not done instead of waiting out the drain.
    /// </summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(20);

    public int Workers => workers;

    public async Task WarmUpAsync(int jobs, CancellationToken ct)
    {
        using var server = hangfire.StartServer(workers);
        var ids = Enumerable.Range(0, jobs).Select(_ => hangfire.Enqueue(endpoint.Url)).ToList();
        await WaitForSucceededAsync(ids, TimeSpan.FromMinutes(5), ct, Stall);
    }

    /// <summary>The idle rate with a server running: its pollers and heartbeats.</summary>
    public async Task CalibrateAsync(TimeSpan window, CancellationToken ct)
    {
        using var server = hangfire.StartServer(workers);
        await Task.Delay(Settle, ct);
        await meter.CalibrateAsync(window, ct);
    }

    public async Task<RoundResult> RunAsync(int round, RoundPlan plan, CancellationToken ct)
    {
        var cost = await meter.StartAsync(ct);
        var sent = new ConcurrentDictionary<string, Sent>(StringComparer.Ordinal);
        var server = default(global::Hangfire.BackgroundJobServer);
        var serverClock = new Stopwatch();
        Dictionary<string, DateTimeOffset> succeeded;
        try
        {
            if (plan.Backlog is { } backlog)
            {
                var ids = new string[backlog];
                Parallel.For(0, backlog, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, i => ids[i] = hangfire.Enqueue(endpoint.Url));
                var at = Sent.Now();
                serverClock.Start();
                server = hangfire.StartServer(workers);
                foreach (var id in ids)
                {
                    sent[id] = at;
                }
            }
            else
            {
                serverClock.Start();
                server = hangfire.StartServer(workers);
                await Task.Delay(Settle, ct);
                await OpenLoop.OfferAsync(plan.Rate, plan.Jobs, _ =>
                {
                    var at = Sent.Now();
                    try
                    {
                        sent[hangfire.Enqueue(endpoint.Url)] = at;
                    }
                    catch (global::Hangfire.BackgroundJobClientException)
                    {
                        // Refused (the storage timed out after Hangfire's own retries): counts as not done.
                    }

                    return Task.CompletedTask;
                }, ct);
            }

            await endpoint.WaitForArrivalsAsync(sent.Keys.ToList(), plan.DrainTimeout, ct, Stall);
            succeeded = await WaitForSucceededAsync(sent.Keys.ToList(), plan.DrainTimeout, ct, Stall);
        }
        finally
        {
            server?.Dispose();
            serverClock.Stop();
        }

        var roundCost = await meter.StopAsync(cost, sent.Count, serverClock.Elapsed, ct);
        return RoundResult.From(Name, round, plan.Jobs, sent, endpoint.Arrivals, succeeded, roundCost);
    }

    private async Task<Dictionary<string, DateTimeOffset>> WaitForSucceededAsync(List<string> ids, TimeSpan timeout, CancellationToken ct,
        TimeSpan? stall = null)
    {
        var deadline = Stopwatch.StartNew();
        var progress = new StallWatch(stall);
        while (true)
        {
            var succeeded = await hangfire.SucceededAsync(ids, ct);
            if (succeeded.Count >= ids.Count || deadline.Elapsed > timeout || progress.Stalled(succeeded.Count))
            {
                return succeeded.ToDictionary(s => s.Id, s => s.SucceededAt, StringComparer.Ordinal);
            }

            await Task.Delay(250, ct);
        }
    }
}
