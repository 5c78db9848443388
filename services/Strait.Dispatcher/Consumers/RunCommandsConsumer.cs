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
/// The dispatcher's commands from the run saga: <see cref="DispatchRun"/> queues an attempt for admission (the inbox
/// drops redeliveries), <see cref="WithdrawRun"/> removes one. Concurrent consumers may take a run's commands out of
/// order, so both carry the time the saga issued them: a withdrawal removes only dispatches issued before it and leaves
/// a mark that turns away any such dispatch arriving later, and a dispatch replaces an older one of the same attempt. A
/// restart's withdrawal and new dispatch of the same attempt thus end the same way in either order.
/// </summary>
/// <remarks>
/// The direct path: an attempt whose job has no limits (no <c>max_concurrency</c>, per-key limit or rate limit), on a
/// replica with free capacity and nobody queued for it, has nothing to wait for. Its row is written active, leased to
/// this replica, in the consume transaction, and the call starts once that commits: no admission pass, no second
/// transaction. A crash between the commit and the call leaves an active row whose lease runs out, which the sweep
/// reports as interrupted, so the attempt is retried like any other interrupted call.
/// </remarks>
public sealed class RunCommandsConsumer(
    DispatcherDbContext db,
    StraitMessagingSession session,
    DeliveryRunner runner,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    EndpointCircuits circuits,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time) : IConsumer<DispatchRun>, IConsumer<WithdrawRun>
{
    public async Task Consume(ConsumeContext<DispatchRun> context)
    {
        var m = context.Message;
        var headers = m.Headers is { Count: > 0 } ? JsonSerializer.Serialize(m.Headers) : null;
        var now = time.GetUtcNow();
        var issuedAt = m.IssuedAt ?? now;
        // An attempt to an endpoint whose circuit is open goes through admission, which holds it until the circuit closes.
        var direct = IsUnlimited(m) && !signal.Backlog && inFlight.Count < deliveryOptions.Value.MaxInFlight
            && !circuits.IsOpen(m.ProjectId, m.EndpointUrl, now);
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
            FallbackEndpointUrl = NullIfEmpty(m.FallbackEndpointUrl),
            TimeoutSecs = m.TimeoutSecs,
            MaxConcurrency = m.MaxConcurrency,
            MaxConcurrencyPerKey = m.MaxConcurrencyPerKey,
            RateLimitMax = m.RateLimitMax,
            RateLimitWindowSecs = m.RateLimitWindowSecs,
            Payload = m.Payload,
            Headers = headers,
            RunCreatedAt = m.RunCreatedAt,
            IssuedAt = issuedAt,
            EnqueuedAt = now,
            Status = direct ? DispatchQueueStatus.Active : DispatchQueueStatus.Pending,
            StartedAt = direct ? now : null,
            LeaseOwner = direct ? instance.Id : null,
            LeaseExpiresAt = direct ? now + deliveryOptions.Value.LeaseDuration : null,
        };

        // Not if a withdrawal issued after it was consumed first (a cancel overtook it): never delivered. A row of an older
        // dispatch of this attempt is one whose withdrawal has not been consumed yet: replaced.
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO dispatch.dispatch_queue (run_id, attempt, job_id, project_id, priority, concurrency_key, endpoint_url, signing_secret,
                fallback_endpoint_url, timeout_secs, max_concurrency, max_concurrency_per_key, rate_limit_max, rate_limit_window_secs, payload, headers,
                run_created_at, issued_at, enqueued_at, status, wait_reason, started_at, lease_owner, lease_expires_at)
            SELECT {entry.RunId}, {entry.Attempt}, {entry.JobId}, {entry.ProjectId}, {entry.Priority}, {entry.ConcurrencyKey}, {entry.EndpointUrl},
                {entry.SigningSecret}, {entry.FallbackEndpointUrl}, {entry.TimeoutSecs}, {entry.MaxConcurrency}, {entry.MaxConcurrencyPerKey}, {entry.RateLimitMax},
                {entry.RateLimitWindowSecs}, {entry.Payload}, CAST({headers} AS jsonb), {entry.RunCreatedAt}, {entry.IssuedAt}, {now}, {entry.Status},
                NULL, CAST({entry.StartedAt} AS timestamptz), {entry.LeaseOwner}, CAST({entry.LeaseExpiresAt} AS timestamptz)
            WHERE NOT EXISTS (SELECT 1 FROM dispatch.dispatch_withdrawals w
                WHERE w.run_id = {entry.RunId} AND w.attempt = {entry.Attempt} AND w.issued_at > {entry.IssuedAt})
            ON CONFLICT (run_id, attempt) DO UPDATE SET
                job_id = excluded.job_id, project_id = excluded.project_id, priority = excluded.priority,
                concurrency_key = excluded.concurrency_key, endpoint_url = excluded.endpoint_url, signing_secret = excluded.signing_secret,
                fallback_endpoint_url = excluded.fallback_endpoint_url,
                timeout_secs = excluded.timeout_secs, max_concurrency = excluded.max_concurrency,
                max_concurrency_per_key = excluded.max_concurrency_per_key, rate_limit_max = excluded.rate_limit_max,
                rate_limit_window_secs = excluded.rate_limit_window_secs, payload = excluded.payload, headers = excluded.headers,
                run_created_at = excluded.run_created_at, issued_at = excluded.issued_at, enqueued_at = excluded.enqueued_at,
                status = excluded.status, wait_reason = NULL, started_at = excluded.started_at, lease_owner = excluded.lease_owner,
                lease_expires_at = excluded.lease_expires_at
            WHERE dispatch_queue.issued_at < excluded.issued_at
            """, context.CancellationToken);
        if (inserted == 0)
        {
            // Withdrawn already, or no newer than the dispatch that is there.
            return;
        }

        // If it replaced an older dispatch whose call still runs here, that call is over.
        inFlight.Abort(m.RunId, m.Attempt);
        if (direct)
        {
            session.AfterCommit(() => runner.Start(entry, announceStart: true));
        }
        else
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
        }
    }

    /// <summary>Removes a withdrawn attempt: its place in the queue, or its slot (aborting the call when it runs on this replica).</summary>
    public async Task Consume(ConsumeContext<WithdrawRun> context)
    {
        var m = context.Message;
        var issuedAt = m.IssuedAt ?? DateTimeOffset.MaxValue;
        if (m.IssuedAt is { } at)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO dispatch.dispatch_withdrawals (run_id, attempt, issued_at) VALUES ({m.RunId}, {m.Attempt}, {at})
                ON CONFLICT (run_id, attempt) DO UPDATE SET issued_at = GREATEST(dispatch_withdrawals.issued_at, excluded.issued_at)
                """, context.CancellationToken);
        }

        // A dispatch issued after the withdrawal (a restart's) is not the one being withdrawn: row and call stay.
        var removed = await db.DispatchQueue.Where(e => e.RunId == m.RunId && e.Attempt == m.Attempt && e.IssuedAt < issuedAt)
            .ExecuteDeleteAsync(context.CancellationToken);
        if (removed > 0)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
            if (m.AbortCall)
            {
                inFlight.Abort(m.RunId, m.Attempt);
            }
        }
    }

    private static bool IsUnlimited(DispatchRun m) => m.MaxConcurrency <= 0 && m.MaxConcurrencyPerKey <= 0 && m.RateLimitMax <= 0;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
