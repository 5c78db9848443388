using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Hosting;

namespace Strait.RunsApi.Scheduling;

/// <summary>
/// Fires due debounce entries and flushes batches whose window has passed (semantics §6.5). A debounce entry is claimed
/// with <c>FOR UPDATE SKIP LOCKED</c> and a batch under its advisory lock, and the run is created in the same transaction
/// that removes the entry or items — so with several replicas each fires once, and a crash leaves it due.
/// Entries of a paused or disabled job wait until the job runs again.
/// </summary>
public sealed partial class TriggerBufferPoller(IServiceScopeFactory scopes, TimeProvider time, IOptions<TriggerBufferOptions> options,
    ILogger<TriggerBufferPoller> logger) : PollingService(time, logger)
{
    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan RetryDelay => options.Value.PollInterval;

    protected override async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        while (await FireNextDebounceAsync(cancellationToken))
        {
        }

        await FlushDueBatchesAsync(cancellationToken);
        return options.Value.PollInterval;
    }

    /// <summary>Fires one due debounce entry, if there is one; false when nothing is due.</summary>
    internal async Task<bool> FireNextDebounceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
        var now = Time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.DebounceEntries
            .FromSql($"""
                SELECT e.* FROM runs.debounce_entries e JOIN runs.jobs j ON j.id = e.job_id
                WHERE e.fire_at <= {now} AND j.enabled AND NOT j.paused
                ORDER BY e.fire_at
                LIMIT 1
                FOR UPDATE OF e SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (claimed is not [var entry])
        {
            return false;
        }

        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == entry.JobId, ct);
        await TriggerIntake.FireAsync(db, scope.ServiceProvider.GetRequiredService<RunScheduler>(), job, entry, now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Flushes every batch whose oldest item has waited the job's batch window; returns how many were flushed.</summary>
    internal async Task<int> FlushDueBatchesAsync(CancellationToken ct)
    {
        List<string> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
            var now = Time.GetUtcNow();
            due = await db.Database.SqlQuery<string>($"""
                SELECT i.job_id::text || '/' || i.key AS "Value"
                FROM runs.batch_items i JOIN runs.jobs j ON j.id = i.job_id
                WHERE j.enabled AND NOT j.paused
                GROUP BY i.job_id, i.key, j.batch_window_secs
                HAVING min(i.created_at) <= {now} - make_interval(secs => j.batch_window_secs)
                LIMIT 100
                """).ToListAsync(ct);
        }

        var flushed = 0;
        foreach (var batch in due)
        {
            if (await FlushAsync(Guid.Parse(batch.AsSpan(0, 36)), batch[37..], ct))
            {
                flushed++;
            }
        }

        return flushed;
    }

    private async Task<bool> FlushAsync(Guid jobId, string key, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
        var now = Time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await TriggerIntake.LockBatchAsync(db, jobId, key, ct);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct);
        var items = await db.BatchItems.Where(i => i.JobId == jobId && i.Key == key)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync(ct);
        // Another replica (or a trigger filling the batch) may have taken it meanwhile.
        if (job is null || items.Count == 0 || items[0].CreatedAt.AddSeconds(job.BatchWindowSecs) > now)
        {
            return false;
        }

        await TriggerIntake.DrainAsync(db, scope.ServiceProvider.GetRequiredService<RunScheduler>(), job, items, null, now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Debounce/batch poller faulted; retrying")]
    private partial void LogFaulted(Exception exception);
}
