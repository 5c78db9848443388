using System.Collections.Concurrent;
using Strait.Benchmarks.Lifecycle;

namespace Strait.Benchmarks.Compare;

/// <summary>
/// Strait's side: every round a new job whose endpoint is the no-op endpoint. Backlog mode sends the N runs as bulk
/// triggers of 500, all at once (the platform starts on them while they arrive: the time counts from the first
/// request); rate mode sends single triggers, open loop.
/// </summary>
public sealed class StraitRounds(StraitGateway gateway, NoopJobEndpoint endpoint, CostMeter meter)
{
    public const string Name = "strait";

    public CostMeter Meter => meter;

    /// <summary>
    /// Both paths the rounds take, so each is compiled at its final tier before it is measured: <paramref name="runs"/>
    /// as bulk triggers, then as many single triggers at 100/s.
    /// </summary>
    public async Task WarmUpAsync(int runs, CancellationToken ct)
    {
        var jobId = await gateway.CreateJobAsync(endpoint.Url, ct);
        var sent = (await TriggerBacklogAsync(jobId, runs, ct)).Count;
        await OpenLoop.OfferAsync(100, runs, async _ =>
        {
            if (await gateway.TriggerRunAsync(jobId, ct) is not null)
            {
                Interlocked.Increment(ref sent);
            }
        }, ct);
        await gateway.WaitForCompletedAsync(jobId, sent, TimeSpan.FromMinutes(5), ct);
    }

    public async Task<RoundResult> RunAsync(int round, RoundPlan plan, CancellationToken ct)
    {
        var jobId = await gateway.CreateJobAsync(endpoint.Url, ct);
        var cost = await meter.StartAsync(ct);
        IReadOnlyDictionary<string, Sent> sent;
        if (plan.Backlog is { } backlog)
        {
            sent = await TriggerBacklogAsync(jobId, backlog, ct);
        }
        else
        {
            var accepted = new ConcurrentDictionary<string, Sent>(StringComparer.Ordinal);
            await OpenLoop.OfferAsync(plan.Rate, plan.Jobs, async _ =>
            {
                var at = Sent.Now();
                try
                {
                    if (await gateway.TriggerRunAsync(jobId, ct) is { } id)
                    {
                        accepted[id] = at;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // Refused (no answer in time): counts as not done.
                }
            }, ct);
            sent = accepted;
        }

        await endpoint.WaitForArrivalsAsync(sent.Keys.ToList(), plan.DrainTimeout, ct);
        var completed = await gateway.WaitForCompletedAsync(jobId, sent.Count, plan.DrainTimeout, ct);
        var roundCost = await meter.StopAsync(cost, sent.Count, runningTime: null, ct);
        return RoundResult.From(Name, round, plan.Jobs, sent, endpoint.Arrivals, completed.ToDictionary(r => r.Id, r => r.FinishedAt), roundCost);
    }

    private async Task<Dictionary<string, Sent>> TriggerBacklogAsync(string jobId, int runs, CancellationToken ct)
    {
        var at = Sent.Now();
        var batches = await Task.WhenAll(Enumerable.Range(0, (runs + StraitGateway.BulkLimit - 1) / StraitGateway.BulkLimit)
            .Select(i => gateway.TriggerBulkAsync(jobId, Math.Min(StraitGateway.BulkLimit, runs - (i * StraitGateway.BulkLimit)), ct)));
        return batches.SelectMany(ids => ids).ToDictionary(id => id, _ => at, StringComparer.Ordinal);
    }
}
