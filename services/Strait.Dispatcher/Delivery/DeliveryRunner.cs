using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Runs admitted attempts' HTTP calls in the background (never inside a broker delivery or a DB transaction) and
/// reports each outcome in one transaction with the queue row's update: the outbox row commits with the freed slot.
/// On shutdown it lets the calls in flight finish within the host's shutdown timeout, then aborts the rest and
/// reports them as interrupted so they are retried at once rather than after their lease runs out.
/// </summary>
public sealed partial class DeliveryRunner(
    IServiceScopeFactory scopeFactory,
    EndpointDeliverer deliverer,
    InFlightDeliveries inFlight,
    DispatcherInstance instance,
    DispatchQueueSignal signal,
    TimeProvider time,
    ILogger<DeliveryRunner> logger) : IHostedService
{
    private static readonly TimeSpan[] ReportRetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    private readonly ConcurrentDictionary<Task, byte> running = new();
    private volatile bool stopping;

    public void Start(DispatchQueueEntry entry)
    {
        var abort = new CancellationTokenSource();
        if (!inFlight.TryAdd(entry.RunId, entry.Attempt, abort))
        {
            abort.Dispose();
            return;
        }

        var task = Task.Run(() => RunAsync(entry, abort), CancellationToken.None);
        running.TryAdd(task, 0);
        task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        try
        {
            await Task.WhenAll(running.Keys).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            foreach (var (runId, attempt) in inFlight.Keys)
            {
                inFlight.Abort(runId, attempt);
            }

            // The aborted calls report themselves as interrupted; give that a moment, the lease sweep covers the rest.
            await Task.WhenAll(running.Keys).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
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
                outcome = Interrupted(entry, "dispatch failed: " + ex.Message);
            }

            // Aborted by a withdrawal (its row is gone, so nothing would be reported anyway) or by shutdown.
            if (outcome is null && stopping)
            {
                outcome = Interrupted(entry, LeaseMaintenanceService.InterruptedError);
            }

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

    private static DeliveryOutcome Interrupted(DispatchQueueEntry entry, string error) => new(new RunDispatchFailed
    {
        RunId = entry.RunId,
        Attempt = entry.Attempt,
        ErrorClass = DispatchErrorClass.Transient,
        Error = error,
        Retryable = true,
    }, HoldsSlot: false);

    private async Task ReportWithRetriesAsync(DispatchQueueEntry entry, DeliveryOutcome outcome)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ReportAsync(entry, outcome, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < ReportRetryDelays.Length && !stopping)
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
