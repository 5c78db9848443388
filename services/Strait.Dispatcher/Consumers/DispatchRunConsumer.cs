using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;
using Strait.Messaging;

namespace Strait.Dispatcher.Consumers;

/// <summary>
/// Queues an attempt for admission. The same (run, attempt) twice is one row; the inbox already drops redeliveries.
/// </summary>
/// <remarks>
/// The direct path: an attempt whose job has no limits (no <c>max_concurrency</c>, per-key limit or rate limit), on a
/// replica with free capacity and nobody queued for it, has nothing to wait for. Its row is written active, leased to
/// this replica, in the consume transaction, and the call starts once that commits: no admission pass, no second
/// transaction. A crash between the commit and the call leaves an active row whose lease runs out, which the sweep
/// reports as interrupted, so the attempt is retried like any other interrupted call.
/// </remarks>
public sealed class DispatchRunConsumer(
    DispatcherDbContext db,
    StraitMessagingSession session,
    DeliveryRunner runner,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time) : IConsumer<DispatchRun>
{
    public async Task Consume(ConsumeContext<DispatchRun> context)
    {
        var m = context.Message;
        var headers = m.Headers is { Count: > 0 } ? JsonSerializer.Serialize(m.Headers) : null;
        var now = time.GetUtcNow();
        var direct = IsUnlimited(m) && !signal.Backlog && inFlight.Count < deliveryOptions.Value.MaxInFlight;
        var entry = new DispatchQueueEntry
        {
            RunId = m.RunId,
            Attempt = m.Attempt,
            JobId = m.JobId,
            ProjectId = m.ProjectId,
            Priority = m.Priority,
            ConcurrencyKey = NullIfEmpty(m.ConcurrencyKey),
            EndpointUrl = m.EndpointUrl,
            SigningSecret = NullIfEmpty(m.SigningSecret),
            TimeoutSecs = m.TimeoutSecs,
            MaxConcurrency = m.MaxConcurrency,
            MaxConcurrencyPerKey = m.MaxConcurrencyPerKey,
            RateLimitMax = m.RateLimitMax,
            RateLimitWindowSecs = m.RateLimitWindowSecs,
            Payload = m.Payload,
            Headers = headers,
            RunCreatedAt = m.RunCreatedAt,
            EnqueuedAt = now,
            Status = direct ? DispatchQueueStatus.Active : DispatchQueueStatus.Pending,
            StartedAt = direct ? now : null,
            LeaseOwner = direct ? instance.Id : null,
            LeaseExpiresAt = direct ? now + deliveryOptions.Value.LeaseDuration : null,
        };

        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO dispatch.dispatch_queue (run_id, attempt, job_id, project_id, priority, concurrency_key, endpoint_url, signing_secret,
                timeout_secs, max_concurrency, max_concurrency_per_key, rate_limit_max, rate_limit_window_secs, payload, headers,
                run_created_at, enqueued_at, status, started_at, lease_owner, lease_expires_at)
            VALUES ({entry.RunId}, {entry.Attempt}, {entry.JobId}, {entry.ProjectId}, {entry.Priority}, {entry.ConcurrencyKey}, {entry.EndpointUrl},
                {entry.SigningSecret}, {entry.TimeoutSecs}, {entry.MaxConcurrency}, {entry.MaxConcurrencyPerKey}, {entry.RateLimitMax},
                {entry.RateLimitWindowSecs}, {entry.Payload}, CAST({headers} AS jsonb), {entry.RunCreatedAt}, {now}, {entry.Status},
                {entry.StartedAt}, {entry.LeaseOwner}, {entry.LeaseExpiresAt})
            ON CONFLICT (run_id, attempt) DO NOTHING
            """, context.CancellationToken);
        if (!direct)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
        }
        else if (inserted == 1)
        {
            session.AfterCommit(() => runner.Start(entry, announceStart: true));
        }
    }

    private static bool IsUnlimited(DispatchRun m) => m.MaxConcurrency <= 0 && m.MaxConcurrencyPerKey <= 0 && m.RateLimitMax <= 0;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
