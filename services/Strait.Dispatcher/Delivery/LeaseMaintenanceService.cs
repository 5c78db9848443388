using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Crash safety of in-flight calls: renews this replica's leases, and on any replica reports attempts whose lease
/// ran out (their dispatcher died mid-call) as retryable <c>transient</c> failures and frees their slots.
/// Also drops rate-limit history that no window needs any more.
/// </summary>
public sealed partial class LeaseMaintenanceService(
    IServiceScopeFactory scopeFactory,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<LeaseMaintenanceService> logger) : BackgroundService
{
    public const string InterruptedError = "dispatch interrupted";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = options.Value.LeaseRenewInterval < options.Value.SweepInterval ? options.Value.LeaseRenewInterval : options.Value.SweepInterval;
        var lastSweep = time.GetTimestamp();
        using var timer = new PeriodicTimer(tick, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
                await RenewLeasesAsync(stoppingToken);
                if (time.GetElapsedTime(lastSweep) >= options.Value.SweepInterval)
                {
                    lastSweep = time.GetTimestamp();
                    await SweepExpiredAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogMaintenanceFailed(ex);
            }
        }
    }

    public async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var runIds = inFlight.Keys.Select(k => k.RunId).ToList();
        if (runIds.Count == 0)
        {
            return;
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var expiresAt = time.GetUtcNow() + options.Value.LeaseDuration;
        await db.DispatchQueue
            .Where(e => runIds.Contains(e.RunId) && e.Status == DispatchQueueStatus.Active && e.LeaseOwner == instance.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseExpiresAt, expiresAt), cancellationToken);
    }

    /// <summary>Reports and frees attempts whose lease expired; returns how many.</summary>
    public async Task<int> SweepExpiredAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var now = time.GetUtcNow();

        await db.DispatchStarts.Where(s => s.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var withdrawalsKeptFrom = now.AddHours(-1);
        await db.DispatchWithdrawals.Where(w => w.IssuedAt < withdrawalsKeptFrom).ExecuteDeleteAsync(cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var expired = await db.DispatchQueue
            .FromSqlRaw("""
                SELECT * FROM dispatch.dispatch_queue
                WHERE status = 'active' AND lease_expires_at < {0}
                ORDER BY lease_expires_at LIMIT 100
                FOR UPDATE SKIP LOCKED
                """, now)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var swept = 0;
        foreach (var entry in expired)
        {
            // Our own call still running means only the renewal was late (e.g. the database was away): keep it.
            if (entry.LeaseOwner == instance.Id && inFlight.Contains(entry.RunId, entry.Attempt))
            {
                continue;
            }

            await db.DispatchQueue.Where(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt).ExecuteDeleteAsync(cancellationToken);
            await publisher.Publish(new RunDispatchFailed
            {
                RunId = entry.RunId,
                Attempt = entry.Attempt,
                ErrorClass = DispatchErrorClass.Transient,
                Error = InterruptedError,
                Retryable = true,
                StartedAt = entry.StartedAt,
            }, cancellationToken);
            LogSwept(entry.RunId, entry.Attempt, entry.LeaseOwner);
            swept++;
        }

        if (swept > 0)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (swept > 0)
        {
            signal.Wake.Set();
        }

        return swept;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Lease maintenance failed; retrying")]
    private partial void LogMaintenanceFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} attempt {Attempt} lost its dispatcher ({Owner}); reported as interrupted")]
    private partial void LogSwept(Guid runId, int attempt, string? owner);
}
