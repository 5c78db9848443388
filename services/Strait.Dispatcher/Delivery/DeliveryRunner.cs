using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Runs admitted attempts' HTTP calls in the background (never inside a broker delivery or a DB transaction) and
/// reports each outcome in one transaction with the queue row's update: the outbox row commits with the freed slot.
/// </summary>
public sealed partial class DeliveryRunner(
    IServiceScopeFactory scopeFactory,
    EndpointDeliverer deliverer,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DeliveryRunner> logger)
{
    private static readonly TimeSpan[] ReportRetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    public void Start(DispatchQueueEntry entry)
    {
        var abort = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        if (!inFlight.TryAdd(entry.RunId, entry.Attempt, abort))
        {
            abort.Dispose();
            return;
        }

        _ = Task.Run(() => RunAsync(entry, abort), CancellationToken.None);
    }

    private async Task RunAsync(DispatchQueueEntry entry, CancellationTokenSource abort)
    {
        try
        {
            DeliveryOutcome? outcome;
            try
            {
                outcome = await deliverer.DeliverAsync(entry, abort.Token);
            }
            catch (Exception ex)
            {
                LogDeliveryCrashed(ex, entry.RunId, entry.Attempt);
                outcome = new DeliveryOutcome(new RunDispatchFailed
                {
                    RunId = entry.RunId,
                    Attempt = entry.Attempt,
                    ErrorClass = DispatchErrorClass.Transient,
                    Error = "dispatch failed: " + ex.Message,
                    Retryable = true,
                }, HoldsSlot: false);
            }

            // Aborted: withdrawn or released (nothing to report), or this replica is stopping (the lease sweep reports it).
            if (outcome is not null)
            {
                await ReportWithRetriesAsync(entry, outcome);
            }
        }
        finally
        {
            inFlight.Remove(entry.RunId, entry.Attempt);
            abort.Dispose();
            signal.Wake.Set();
        }
    }

    private async Task ReportWithRetriesAsync(DispatchQueueEntry entry, DeliveryOutcome outcome)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ReportAsync(entry, outcome, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < ReportRetryDelays.Length)
            {
                LogReportRetry(ex, entry.RunId, entry.Attempt);
                await Task.Delay(ReportRetryDelays[attempt], time);
            }
            catch (Exception ex)
            {
                // The lease is no longer renewed, so a sweep reports the attempt as interrupted and it is retried.
                LogReportFailed(ex, entry.RunId, entry.Attempt);
                return;
            }
        }
    }

    /// <summary>Publishes the outcome if this replica still holds the attempt; a 202 keeps the slot, anything else frees it.</summary>
    public async Task<bool> ReportAsync(DispatchQueueEntry entry, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var held = db.DispatchQueue.Where(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt
            && e.Status == DispatchQueueStatus.Active && e.LeaseOwner == instance.Id);
        var changed = outcome.HoldsSlot
            ? await held.ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, DispatchQueueStatus.Accepted)
                .SetProperty(e => e.LeaseOwner, (string?)null)
                .SetProperty(e => e.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken)
            : await held.ExecuteDeleteAsync(cancellationToken);
        if (changed == 0)
        {
            // Withdrawn, released because the run left executing, or swept after a lost lease: someone else has reported.
            return false;
        }

        await publisher.Publish(outcome.Message, cancellationToken);
        if (!outcome.HoldsSlot)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of run {RunId} attempt {Attempt} crashed")]
    private partial void LogDeliveryCrashed(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the outcome of run {RunId} attempt {Attempt} failed; retrying")]
    private partial void LogReportRetry(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reporting the outcome of run {RunId} attempt {Attempt} failed; the lease sweep will retry the run")]
    private partial void LogReportFailed(Exception exception, Guid runId, int attempt);
}
