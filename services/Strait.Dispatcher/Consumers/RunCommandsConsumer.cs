using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;
using Strait.Messaging.Outbox;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Strait.Dispatcher.Consumers;

/// <summary>
/// The dispatcher's commands from the run saga: <see cref="DispatchRun"/> queues an attempt for admission (the inbox
/// drops redeliveries), <see cref="WithdrawRun"/> removes one. Concurrent consumers may take a run's commands out of
/// order, so both carry the time the saga issued them: a withdrawal removes only dispatches issued before it and leaves
/// a mark that turns away any such dispatch arriving later, and a dispatch replaces an older one of the same attempt. A
/// restart's withdrawal and new dispatch of the same attempt thus end the same way in either order.
/// </summary>
/// <remarks>
/// <para>
/// Dispatches are consumed in batches (what has arrived within <see cref="BatchTimeLimit"/>, at most one per partition
/// of the endpoint): one transaction claims the batch's messages in the inbox (<c>dispatch.inbox_state</c>, so a
/// redelivered one is dropped) and writes their queue rows, two statements for the whole batch. Withdrawals are
/// idempotent by themselves (a mark that only grows, a delete by issue time) and need no inbox.
/// </para>
/// <para>
/// The direct path: an attempt whose job has no limits (no <c>max_concurrency</c>, per-key limit or rate limit), on a
/// replica with free capacity and nobody queued for it, has nothing to wait for. Its row is written active, leased to
/// this replica, in the consume transaction, and the call starts once that commits: no admission pass, no second
/// transaction. A crash between the commit and the call leaves an active row whose lease runs out, which the sweep
/// reports as interrupted, so the attempt is retried like any other interrupted call.
/// </para>
/// </remarks>
public sealed class RunCommandsConsumer(
    DispatcherDbContext db,
    DeliveryRunner runner,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    EndpointCircuits circuits,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time) : IConsumer<Batch<DispatchRun>>, IConsumer<WithdrawRun>, ISelfDeduplicatingConsumer
{
    /// <summary>How long the first dispatch of a batch waits for others: the latency a lone dispatch pays for batching.</summary>
    public static readonly TimeSpan BatchTimeLimit = TimeSpan.FromMilliseconds(5);

    /// <summary>The most dispatches one batch (one transaction) takes.</summary>
    public const int BatchMessageLimit = 64;

    /// <summary>The consumer id of the dispatches' rows in <c>dispatch.inbox_state</c>.</summary>
    public static readonly Guid InboxConsumerId = new("3c1d5e0a-7b52-4f4e-9d0c-5a8e2f61b7d4");

    public async Task Consume(ConsumeContext<Batch<DispatchRun>> context)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        var received = context.Message
            .Select(c => (Id: c.MessageId ?? throw new MessageException(typeof(DispatchRun), "MessageId required"), c.Message))
            .ToList();
        var fresh = await InboxClaims.ClaimAsync(db, received.Select(r => r.Id).ToArray(), InboxConsumerId, now.UtcDateTime, ct);
        // Of one attempt's dispatches in the batch only the newest can win (and a statement may write a row once).
        var dispatches = received.Where(r => fresh.Contains(r.Id)).Select(r => r.Message)
            .GroupBy(m => (m.RunId, m.Attempt))
            .Select(g => g.MaxBy(m => m.IssuedAt ?? now)!)
            .ToList();

        var capacity = deliveryOptions.Value.MaxInFlight - inFlight.Count;
        var entries = new List<DispatchQueueEntry>(dispatches.Count);
        foreach (var m in dispatches)
        {
            // An attempt to an endpoint whose circuit is open goes through admission, which holds it until the circuit closes.
            var direct = IsUnlimited(m) && !signal.Backlog && capacity > 0 && !circuits.IsOpen(m.ProjectId, m.EndpointUrl, now);
            capacity -= direct ? 1 : 0;
            entries.Add(Entry(m, direct, now));
        }

        var queued = await QueueAsync(entries, ct);
        if (entries.Any(e => e.Status == DispatchQueueStatus.Pending && queued.Contains((e.RunId, e.Attempt))))
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, ct);
        }

        await transaction.CommitAsync(ct);

        foreach (var entry in entries.Where(e => queued.Contains((e.RunId, e.Attempt))))
        {
            // If it replaced an older dispatch whose call still runs here, that call is over.
            inFlight.Abort(entry.RunId, entry.Attempt);
            if (entry.Status == DispatchQueueStatus.Active)
            {
                runner.Start(entry, announceStart: true);
            }
        }
    }

    private DispatchQueueEntry Entry(DispatchRun m, bool direct, DateTimeOffset now) => new()
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
        Headers = m.Headers is { Count: > 0 } ? JsonSerializer.Serialize(m.Headers) : null,
        RunCreatedAt = m.RunCreatedAt.ToUniversalTime(),
        IssuedAt = (m.IssuedAt ?? now).ToUniversalTime(),
        EnqueuedAt = now,
        Status = direct ? DispatchQueueStatus.Active : DispatchQueueStatus.Pending,
        StartedAt = direct ? now : null,
        LeaseOwner = direct ? instance.Id : null,
        LeaseExpiresAt = direct ? now + deliveryOptions.Value.LeaseDuration : null,
    };

    /// <summary>
    /// Writes the queue rows in one statement; returns the attempts written. Not an attempt whose withdrawal, issued
    /// after it, was consumed first (a cancel overtook it): never delivered. A row of an older dispatch of the attempt is
    /// one whose withdrawal has not been consumed yet: replaced. A row no older than this dispatch stays.
    /// </summary>
    private async Task<HashSet<(Guid RunId, int Attempt)>> QueueAsync(List<DispatchQueueEntry> entries, CancellationToken ct)
    {
        var written = new HashSet<(Guid, int)>();
        if (entries.Count == 0)
        {
            return written;
        }

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand("""
            INSERT INTO dispatch.dispatch_queue (run_id, attempt, job_id, project_id, priority, concurrency_key, endpoint_url, signing_secret,
                fallback_endpoint_url, timeout_secs, max_concurrency, max_concurrency_per_key, rate_limit_max, rate_limit_window_secs, payload, headers,
                run_created_at, issued_at, enqueued_at, status, wait_reason, started_at, lease_owner, lease_expires_at)
            SELECT e.run_id, e.attempt, e.job_id, e.project_id, e.priority, e.concurrency_key, e.endpoint_url, e.signing_secret,
                e.fallback_endpoint_url, e.timeout_secs, e.max_concurrency, e.max_concurrency_per_key, e.rate_limit_max, e.rate_limit_window_secs,
                e.payload, e.headers::jsonb, e.run_created_at, e.issued_at, @enqueued_at, e.status, NULL, e.started_at, e.lease_owner, e.lease_expires_at
            FROM unnest(@run_id, @attempt, @job_id, @project_id, @priority, @concurrency_key, @endpoint_url, @signing_secret, @fallback_endpoint_url,
                @timeout_secs, @max_concurrency, @max_concurrency_per_key, @rate_limit_max, @rate_limit_window_secs, @payload, @headers,
                @run_created_at, @issued_at, @status, @started_at, @lease_owner, @lease_expires_at)
                AS e(run_id, attempt, job_id, project_id, priority, concurrency_key, endpoint_url, signing_secret, fallback_endpoint_url,
                    timeout_secs, max_concurrency, max_concurrency_per_key, rate_limit_max, rate_limit_window_secs, payload, headers,
                    run_created_at, issued_at, status, started_at, lease_owner, lease_expires_at)
            WHERE NOT EXISTS (SELECT 1 FROM dispatch.dispatch_withdrawals w
                WHERE w.run_id = e.run_id AND w.attempt = e.attempt AND w.issued_at > e.issued_at)
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
            RETURNING run_id, attempt
            """, connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        // One array parameter per column of the unnest, in the entries' order.
        void Column<T>(string name, Func<DispatchQueueEntry, T> value) =>
            command.Parameters.Add(new NpgsqlParameter<T[]>(name, entries.Select(value).ToArray()));

        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("enqueued_at", entries[0].EnqueuedAt));
        Column("run_id", e => e.RunId);
        Column("attempt", e => e.Attempt);
        Column("job_id", e => e.JobId);
        Column("project_id", e => e.ProjectId);
        Column("priority", e => e.Priority);
        Column("concurrency_key", e => e.ConcurrencyKey);
        Column("endpoint_url", e => e.EndpointUrl);
        Column("signing_secret", e => e.SigningSecret);
        Column("fallback_endpoint_url", e => e.FallbackEndpointUrl);
        Column("timeout_secs", e => e.TimeoutSecs);
        Column("max_concurrency", e => e.MaxConcurrency);
        Column("max_concurrency_per_key", e => e.MaxConcurrencyPerKey);
        Column("rate_limit_max", e => e.RateLimitMax);
        Column("rate_limit_window_secs", e => e.RateLimitWindowSecs);
        Column("payload", e => e.Payload);
        Column("headers", e => e.Headers);
        Column("run_created_at", e => e.RunCreatedAt);
        Column("issued_at", e => e.IssuedAt);
        Column("status", e => e.Status);
        Column("started_at", e => e.StartedAt);
        Column("lease_owner", e => e.LeaseOwner);
        Column("lease_expires_at", e => e.LeaseExpiresAt);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            written.Add((reader.GetGuid(0), reader.GetInt32(1)));
        }

        return written;
    }

    /// <summary>Removes a withdrawn attempt: its place in the queue, or its slot (aborting the call when it runs on this replica).</summary>
    public async Task Consume(ConsumeContext<WithdrawRun> context)
    {
        var m = context.Message;
        var issuedAt = m.IssuedAt ?? DateTimeOffset.MaxValue;
        await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
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
        }

        await transaction.CommitAsync(context.CancellationToken);
        if (removed > 0 && m.AbortCall)
        {
            inFlight.Abort(m.RunId, m.Attempt);
        }
    }

    private static bool IsUnlimited(DispatchRun m) => m.MaxConcurrency <= 0 && m.MaxConcurrencyPerKey <= 0 && m.RateLimitMax <= 0;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
