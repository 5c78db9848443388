using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;

namespace Strait.Dispatcher.Admission;

/// <summary>
/// Admits pending attempts. One pass is one transaction: read the best pending attempts, take each of their jobs'
/// admission locks (transaction-scoped advisory locks, try-only, so replicas never wait on each other and never
/// deadlock), read those jobs' slot usage under the lock, decide with <see cref="AdmissionPolicy"/>, mark the admitted
/// attempts active with a lease, publish <see cref="RunDispatchStarted"/> and changed wait reasons through the outbox,
/// commit, and only then start the HTTP calls.
/// </summary>
public sealed partial class AdmissionService(
    IServiceScopeFactory scopeFactory,
    DeliveryRunner runner,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    IOptions<AdmissionOptions> admissionOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider time,
    ILogger<AdmissionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = admissionOptions.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.PollInterval;
            try
            {
                var pass = await AdmitAsync(stoppingToken);
                foreach (var entry in pass.Admitted)
                {
                    runner.Start(entry);
                }

                if (pass.LockBusy)
                {
                    wait = options.LockBusyRetry;
                }
                else if (pass.NextRetryAt is { } retryAt)
                {
                    wait = TimeSpan.FromTicks(Math.Clamp((retryAt - time.GetUtcNow()).Ticks, TimeSpan.FromMilliseconds(10).Ticks, wait.Ticks));
                }

                if (pass.Admitted.Count > 0 && inFlight.Count < deliveryOptions.Value.MaxInFlight)
                {
                    // There may be more to admit than one pass looked at.
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogPassFailed(ex);
                wait = TimeSpan.FromSeconds(1);
            }

            await signal.Wake.WaitAsync(wait, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One admission pass; the admitted attempts are committed as active but their calls not yet started.</summary>
    public async Task<AdmissionPass> AdmitAsync(CancellationToken cancellationToken)
    {
        var options = admissionOptions.Value;
        var capacity = deliveryOptions.Value.MaxInFlight - inFlight.Count;
        if (capacity <= 0)
        {
            signal.Backlog = true;
            return new AdmissionPass([], LockBusy: false, NextRetryAt: null);
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var candidates = await db.DispatchQueue
            .FromSqlRaw("""
                SELECT * FROM dispatch.dispatch_queue
                WHERE status = 'pending' AND (run_id, attempt) IN (
                    SELECT run_id, attempt FROM (
                        SELECT run_id, attempt,
                               row_number() OVER (PARTITION BY job_id ORDER BY priority DESC, run_created_at, run_id) AS job_rank
                        FROM dispatch.dispatch_queue WHERE status = 'pending') ranked
                    WHERE ranked.job_rank <= {0})
                ORDER BY priority DESC, run_created_at, run_id
                LIMIT {1}
                """, options.CandidatesPerJob, options.CandidatesPerPass)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            signal.Backlog = false;
            return new AdmissionPass([], LockBusy: false, NextRetryAt: null);
        }

        var lockedJobs = new List<Guid>();
        var lockBusy = false;
        foreach (var jobId in candidates.Select(c => c.JobId).Distinct())
        {
            var locked = await db.Database
                .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtextextended('strait-dispatch-job:' || {jobId.ToString()}, 0)) AS \"Value\"")
                .SingleAsync(cancellationToken);
            if (locked)
            {
                lockedJobs.Add(jobId);
            }
            else
            {
                lockBusy = true;
            }
        }

        var now = time.GetUtcNow();
        var jobs = await LoadJobStatesAsync(db, lockedJobs, now, cancellationToken);
        var openCircuits = (await db.EndpointCircuits.AsNoTracking().Where(c => c.OpenedUntil > now)
                .Select(c => new { c.ProjectId, c.EndpointUrl, c.OpenedUntil }).ToListAsync(cancellationToken))
            .ToDictionary(c => (c.ProjectId, c.EndpointUrl), c => c.OpenedUntil!.Value);
        var plan = AdmissionPolicy.Plan(candidates.Where(c => jobs.ContainsKey(c.JobId)), jobs, now, capacity,
            c => openCircuits.TryGetValue((c.ProjectId, c.EndpointUrl), out var until) ? until : null);

        var admitted = new List<DispatchQueueEntry>();
        DateTimeOffset? nextRetryAt = null;
        var leaseExpiresAt = now + deliveryOptions.Value.LeaseDuration;
        foreach (var (entry, decision) in plan)
        {
            if (decision.Admit)
            {
                if (await AdmitOneAsync(db, publisher, entry, now, leaseExpiresAt, cancellationToken))
                {
                    admitted.Add(entry);
                }
            }
            else
            {
                if (decision.RetryAt is { } retryAt && (nextRetryAt is null || retryAt < nextRetryAt))
                {
                    nextRetryAt = retryAt;
                }

                if (decision.WaitReason != entry.WaitReason)
                {
                    await RecordWaitReasonAsync(db, publisher, entry, decision.WaitReason, cancellationToken);
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Admissible attempts the capacity did not reach: the plan stops at the capacity, so it left some out.
        signal.Backlog = plan.Count < candidates.Count(c => jobs.ContainsKey(c.JobId));
        if (admitted.Count > 0)
        {
            LogAdmitted(admitted.Count);
        }

        return new AdmissionPass(admitted, lockBusy, nextRetryAt);
    }

    private async Task<bool> AdmitOneAsync(DispatcherDbContext db, IPublishEndpoint publisher, DispatchQueueEntry entry, DateTimeOffset now,
        DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        // Conditional: a withdrawal may have removed the row since it was read.
        var updated = await db.DispatchQueue
            .Where(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt && e.Status == DispatchQueueStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, DispatchQueueStatus.Active)
                .SetProperty(e => e.StartedAt, now)
                .SetProperty(e => e.WaitReason, (string?)null)
                .SetProperty(e => e.LeaseOwner, instance.Id)
                .SetProperty(e => e.LeaseExpiresAt, leaseExpiresAt), cancellationToken);
        if (updated == 0)
        {
            return false;
        }

        if (entry.RateLimitMax > 0 && entry.RateLimitWindowSecs > 0)
        {
            db.DispatchStarts.Add(new DispatchStart
            {
                JobId = entry.JobId,
                RunId = entry.RunId,
                Attempt = entry.Attempt,
                StartedAt = now,
                ExpiresAt = now.AddSeconds(entry.RateLimitWindowSecs),
            });
        }

        await publisher.Publish(new RunDispatchStarted { RunId = entry.RunId, Attempt = entry.Attempt, StartedAt = now }, cancellationToken);
        if (entry.WaitReason is not null)
        {
            await publisher.Publish(new RunWaitReasonChanged { RunId = entry.RunId, Attempt = entry.Attempt, WaitReason = null }, cancellationToken);
        }

        entry.Status = DispatchQueueStatus.Active;
        entry.StartedAt = now;
        entry.LeaseOwner = instance.Id;
        entry.LeaseExpiresAt = leaseExpiresAt;
        return true;
    }

    private static async Task RecordWaitReasonAsync(DispatcherDbContext db, IPublishEndpoint publisher, DispatchQueueEntry entry, string? reason,
        CancellationToken cancellationToken)
    {
        var updated = await db.DispatchQueue
            .Where(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt && e.Status == DispatchQueueStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.WaitReason, reason), cancellationToken);
        if (updated > 0)
        {
            await publisher.Publish(new RunWaitReasonChanged { RunId = entry.RunId, Attempt = entry.Attempt, WaitReason = reason }, cancellationToken);
        }
    }

    private static async Task<Dictionary<Guid, JobAdmissionState>> LoadJobStatesAsync(DispatcherDbContext db, List<Guid> jobIds, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (jobIds.Count == 0)
        {
            return [];
        }

        var slots = await db.DispatchQueue.AsNoTracking()
            .Where(e => jobIds.Contains(e.JobId) && e.Status != DispatchQueueStatus.Pending)
            .GroupBy(e => new { e.JobId, e.ConcurrencyKey })
            .Select(g => new { g.Key.JobId, g.Key.ConcurrencyKey, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var starts = await db.DispatchStarts.AsNoTracking()
            .Where(s => jobIds.Contains(s.JobId) && s.ExpiresAt > now)
            .Select(s => new { s.JobId, s.StartedAt })
            .ToListAsync(cancellationToken);

        return jobIds.ToDictionary(id => id, id => new JobAdmissionState(
            slots.Where(s => s.JobId == id).Sum(s => s.Count),
            slots.Where(s => s.JobId == id && !string.IsNullOrEmpty(s.ConcurrencyKey)).ToDictionary(s => s.ConcurrencyKey!, s => s.Count, StringComparer.Ordinal),
            starts.Where(s => s.JobId == id).Select(s => s.StartedAt)));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Admission pass failed; retrying")]
    private partial void LogPassFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Admitted {Count} attempts")]
    private partial void LogAdmitted(int count);
}
