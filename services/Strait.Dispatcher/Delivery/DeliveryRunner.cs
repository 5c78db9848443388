using System.Collections.Concurrent;
using System.Threading.Channels;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;
using Npgsql;
using Strait.ServiceDefaults.Hosting;

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
    EndpointCircuits circuits,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<DeliveryRunner> logger) : IHostedService
{
    private static readonly TimeSpan[] ReportRetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    /// <summary>The most outcomes one report transaction carries.</summary>
    private const int MaxReportGroup = 256;

    private readonly ConcurrentDictionary<Task, byte> running = new();
    private readonly Channel<PendingReport> reports = Channel.CreateUnbounded<PendingReport>(new UnboundedChannelOptions { SingleReader = true });
    private Task reporting = Task.CompletedTask;
    private volatile bool stopping;

    /// <summary>
    /// Starts the call of an admitted attempt. <paramref name="announceStart"/>: nobody has told the run saga yet (the
    /// direct path); it is told only if the call outlives <see cref="DeliveryOptions.StartNoticeDelay"/>, so a quick
    /// call costs no start notice, the outcome carrying its start time instead.
    /// </summary>
    public void Start(DispatchQueueEntry entry, bool announceStart = false)
    {
        var abort = new CancellationTokenSource();
        if (!inFlight.TryAdd(entry.RunId, entry.Attempt, abort))
        {
            abort.Dispose();
            // The row is new, so the call still running for this attempt is a withdrawn one (aborted, or left to answer
            // after the job code moved the run on): this one starts when that one has ended.
            var leftover = Task.Run(() => StartAfterLeftoverAsync(entry, announceStart), CancellationToken.None);
            running.TryAdd(leftover, 0);
            leftover.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        var task = Task.Run(() => RunAsync(entry, abort, announceStart), CancellationToken.None);
        running.TryAdd(task, 0);
        task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task StartAfterLeftoverAsync(DispatchQueueEntry entry, bool announceStart)
    {
        var giveUpAt = time.GetUtcNow().AddSeconds(Math.Max(1, entry.TimeoutSecs) + 5);
        while (inFlight.Contains(entry.RunId, entry.Attempt))
        {
            if (stopping || time.GetUtcNow() > giveUpAt)
            {
                // The lease is not renewed without a call, so the sweep reports the attempt interrupted and it is retried.
                LogLeftoverCallBlocked(entry.RunId, entry.Attempt);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time);
        }

        Start(entry, announceStart);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        reporting = Task.Run(ReportGroupsAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

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
        finally
        {
            // Outcomes still arriving are reported alone.
            reports.Writer.TryComplete();
            await reporting.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync(DispatchQueueEntry entry, CancellationTokenSource abort, bool announceStart)
    {
        try
        {
            DeliveryOutcome? outcome;
            // What the endpoint did counts for its circuit; an interrupted or crashed call says nothing about it.
            bool? endpointSucceeded = null;
            using var callEnded = new CancellationTokenSource();
            var notice = announceStart ? AnnounceStartAsync(entry, callEnded.Token) : Task.CompletedTask;
            try
            {
                outcome = await deliverer.DeliverAsync(entry, abort.Token);
                endpointSucceeded = outcome is null ? null : outcome.Message is not RunDispatchFailed;
            }
            catch (Exception ex)
            {
                LogDeliveryCrashed(ex, entry.RunId, entry.Attempt);
                outcome = Interrupted(entry, "dispatch failed: " + ex.Message);
            }

            // A notice already being written commits before the outcome, so the saga never sees them out of order.
            await callEnded.CancelAsync();
            await notice;

            // Aborted by a withdrawal (its row is gone, so nothing would be reported anyway) or by shutdown.
            if (outcome is null && stopping)
            {
                outcome = Interrupted(entry, LeaseMaintenanceService.InterruptedError);
            }

            if (outcome is not null)
            {
                await ReportWithRetriesAsync(entry, outcome, endpointSucceeded);
            }
        }
        finally
        {
            inFlight.Remove(entry.RunId, entry.Attempt);
            abort.Dispose();
            signal.Wake.Set();
        }
    }

    /// <summary>Tells the saga the attempt is executing once the call has outlived the notice delay (never fails the call).</summary>
    private async Task AnnounceStartAsync(DispatchQueueEntry entry, CancellationToken callEnded)
    {
        try
        {
            await Task.Delay(options.Value.StartNoticeDelay, time, callEnded);
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var held = await db.DispatchQueue.AnyAsync(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt
                && e.Status == DispatchQueueStatus.Active && e.LeaseOwner == instance.Id, CancellationToken.None);
            if (held)
            {
                await publisher.Publish(new RunDispatchStarted { RunId = entry.RunId, Attempt = entry.Attempt, StartedAt = entry.StartedAt ?? time.GetUtcNow() },
                    CancellationToken.None);
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
        {
            // The call ended first: its outcome carries the start time.
        }
        catch (Exception ex)
        {
            // Only the status shown meanwhile is affected; the outcome still moves the run on.
            LogStartNoticeFailed(ex, entry.RunId, entry.Attempt);
        }
    }

    private static DeliveryOutcome Interrupted(DispatchQueueEntry entry, string error) => new(new RunDispatchFailed
    {
        RunId = entry.RunId,
        Attempt = entry.Attempt,
        ErrorClass = DispatchErrorClass.Transient,
        Error = error,
        Retryable = true,
        StartedAt = entry.StartedAt,
    }, HoldsSlot: false);

    private async Task ReportWithRetriesAsync(DispatchQueueEntry entry, DeliveryOutcome outcome, bool? endpointSucceeded)
    {
        var pending = new PendingReport(new OutcomeReport(entry, outcome, endpointSucceeded),
            new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (reports.Writer.TryWrite(pending))
        {
            try
            {
                await pending.Reported.Task;
                return;
            }
            catch (Exception ex)
            {
                // The whole group rolled back; each of its outcomes is reported on its own instead.
                LogGroupReportFailed(ex, entry.RunId, entry.Attempt);
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ReportAsync(entry, outcome, CancellationToken.None, endpointSucceeded);
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

    /// <summary>
    /// Group commit: the outcomes that ended while the previous group was being written go together in one transaction
    /// (one queue statement for all freed slots, one commit, one outbox batch), so under load a commit carries many
    /// outcomes and when idle each is written at once, alone.
    /// </summary>
    private async Task ReportGroupsAsync()
    {
        await foreach (var group in reports.Reader.ReadGroupsAsync(MaxReportGroup))
        {
            try
            {
                var reported = await ReportAllAsync(group.Select(p => p.Report).ToList(), CancellationToken.None);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Reported.TrySetResult(reported[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in group)
                {
                    pending.Reported.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>
    /// Publishes the outcome if this replica still holds the attempt; a 202 keeps the slot, anything else frees it.
    /// <paramref name="endpointSucceeded"/>: whether the endpoint answered (counted by its circuit breaker in the same
    /// transaction), or null for an outcome the endpoint had no part in.
    /// </summary>
    public async Task<bool> ReportAsync(DispatchQueueEntry entry, DeliveryOutcome outcome, CancellationToken cancellationToken,
        bool? endpointSucceeded = null) =>
        (await ReportAllAsync([new OutcomeReport(entry, outcome, endpointSucceeded)], cancellationToken))[0];

    /// <summary>
    /// Reports outcomes in one transaction: each is published only if this replica still holds its attempt (true in
    /// the result); the others were withdrawn, released or swept meanwhile, and someone else has reported them.
    /// </summary>
    private async Task<bool[]> ReportAllAsync(IReadOnlyList<OutcomeReport> group, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var freed = await FreeSlotsAsync(db, group.Where(r => !r.Outcome.HoldsSlot).ToList(), cancellationToken);
        var reported = new bool[group.Count];
        var circuitWrites = new List<EndpointCircuit>();
        var failing = new HashSet<(string, string)>();
        var notify = false;
        for (var i = 0; i < group.Count; i++)
        {
            var (entry, outcome, endpointSucceeded) = group[i];
            reported[i] = outcome.HoldsSlot
                ? await db.DispatchQueue.Where(e => e.RunId == entry.RunId && e.Attempt == entry.Attempt
                        && e.Status == DispatchQueueStatus.Active && e.LeaseOwner == instance.Id)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(e => e.Status, DispatchQueueStatus.Accepted)
                        .SetProperty(e => e.LeaseOwner, (string?)null)
                        .SetProperty(e => e.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) > 0
                : freed.Remove((entry.RunId, entry.Attempt));
            if (!reported[i])
            {
                continue;
            }

            await publisher.Publish(outcome.Message, cancellationToken);
            if (endpointSucceeded is { } succeeded)
            {
                // A failure earlier in this group is not applied to the known circuits until the commit, so a success
                // after it must reset the count in the table regardless.
                var endpoint = (entry.ProjectId, entry.EndpointUrl);
                if (await circuits.RecordAsync(db, entry.ProjectId, entry.EndpointUrl, succeeded, cancellationToken,
                        failuresPending: failing.Contains(endpoint)) is { } circuit)
                {
                    circuitWrites.Add(circuit);
                }

                if (!succeeded)
                {
                    failing.Add(endpoint);
                }
            }

            // A freed slot matters to other replicas only when the job counts slots; this replica's own capacity is
            // signalled in-process when the call's task ends.
            notify |= !outcome.HoldsSlot && (entry.MaxConcurrency > 0 || entry.MaxConcurrencyPerKey > 0);
        }

        if (notify)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var circuit in circuitWrites)
        {
            circuits.Apply(circuit);
        }

        return reported;
    }

    /// <summary>Deletes the rows of the attempts this replica still holds, in one statement; returns the attempts it deleted.</summary>
    private async Task<HashSet<(Guid RunId, int Attempt)>> FreeSlotsAsync(DispatcherDbContext db, List<OutcomeReport> freeing,
        CancellationToken cancellationToken)
    {
        var freed = new HashSet<(Guid, int)>();
        if (freeing.Count == 0)
        {
            return freed;
        }

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand("""
            DELETE FROM dispatch.dispatch_queue q
            USING unnest(@run_ids, @attempts) AS k(run_id, attempt)
            WHERE q.run_id = k.run_id AND q.attempt = k.attempt AND q.status = @active AND q.lease_owner = @owner
            RETURNING q.run_id, q.attempt
            """, connection, (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("run_ids", freeing.Select(r => r.Entry.RunId).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("attempts", freeing.Select(r => r.Entry.Attempt).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string>("active", DispatchQueueStatus.Active));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", instance.Id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            freed.Add((reader.GetGuid(0), reader.GetInt32(1)));
        }

        return freed;
    }

    /// <summary>An outcome to report and what its endpoint did (null: nothing the circuit counts).</summary>
    private sealed record OutcomeReport(DispatchQueueEntry Entry, DeliveryOutcome Outcome, bool? EndpointSucceeded);

    /// <summary>An outcome waiting for its group's commit; <see cref="Reported"/> says whether it was published.</summary>
    private sealed record PendingReport(OutcomeReport Report, TaskCompletionSource<bool> Reported);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling the saga that run {RunId} attempt {Attempt} is executing failed")]
    private partial void LogStartNoticeFailed(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} attempt {Attempt}: an earlier call of the attempt is still running; the lease sweep will retry it")]
    private partial void LogLeftoverCallBlocked(Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of run {RunId} attempt {Attempt} crashed")]
    private partial void LogDeliveryCrashed(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the outcome of run {RunId} attempt {Attempt} with others failed; reporting it alone")]
    private partial void LogGroupReportFailed(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting the outcome of run {RunId} attempt {Attempt} failed; retrying")]
    private partial void LogReportRetry(Exception exception, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reporting the outcome of run {RunId} attempt {Attempt} failed; the lease sweep will retry the run")]
    private partial void LogReportFailed(Exception exception, Guid runId, int attempt);
}
