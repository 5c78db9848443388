using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Hosting;

namespace Strait.RunsApi.Scheduling;

/// <summary>
/// Creates the runs of cron jobs (semantics §7). A job's next due time is stored on it (<c>next_run_at</c>); each fire
/// claims one due job with <c>FOR UPDATE SKIP LOCKED</c> and, in the same transaction, creates the run exactly as a
/// trigger does (<see cref="RunFactory"/>, <see cref="RunScheduler"/>) and moves <c>next_run_at</c> on — so with several
/// replicas every tick fires once, and a crash either fires it or leaves it due. Ticks missed while the service was
/// down (or the job paused or disabled) are not made up one by one: a late job fires once, then continues from now.
/// </summary>
public sealed partial class CronScheduler(IServiceScopeFactory scopes, TimeProvider time, IOptions<CronSchedulerOptions> options,
    ILogger<CronScheduler> logger) : PollingService(time, logger)
{
    public const string CreatedBy = "system:cron";
    private static readonly TriggerRequest CronTrigger = new(null, null, null, null, null, null, null, null);
    private static readonly string EmptyPayload = CanonicalJson.Canonicalize(null);

    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan RetryDelay => options.Value.PollInterval;

    protected override async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        while (await FireNextDueAsync(cancellationToken))
        {
        }

        return await UntilNextDueAsync(cancellationToken);
    }

    /// <summary>Fires one due job, if there is one; false when nothing is due.</summary>
    internal async Task<bool> FireNextDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
        var now = Time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Jobs
            .FromSql($"""
                SELECT * FROM runs.jobs
                WHERE next_run_at <= {now} AND enabled AND NOT paused
                ORDER BY next_run_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (claimed is not [var job])
        {
            return false;
        }

        var schedule = CronSchedule.TryParse(job.Cron ?? "", job.Timezone, out var error);
        job.NextRunAt = schedule?.NextAfter(now);
        if (schedule is null)
        {
            LogUnusableSchedule(job.Id, error);
        }
        else
        {
            await FireAsync(scope.ServiceProvider, db, job, now, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    private async Task FireAsync(IServiceProvider services, RunsDbContext db, Job job, DateTimeOffset now, CancellationToken ct)
    {
        var terminal = RunStatuses.Terminal.Select(RunStatuses.ToStateName).ToList();
        var active = await db.Runs.AsNoTracking()
            .Where(r => r.ProjectId == job.ProjectId && r.JobId == job.Id && !terminal.Contains(r.CurrentState))
            .Select(r => r.CorrelationId)
            .ToListAsync(ct);
        var policy = job.CronOverlapPolicy ?? "allow";
        if (policy == "skip" && active.Count > 0)
        {
            LogSkipped(job.Id, active.Count);
            return;
        }

        var run = RunFactory.Create(job, CronTrigger, EmptyPayload, CanonicalJson.Hash(EmptyPayload), now, "cron", CreatedBy, []);
        await services.GetRequiredService<RunScheduler>().StartAsync(run, job, ct);
        db.Runs.Add(run);
        if (policy == "cancel_running")
        {
            // The new run first, then the old ones go: each is cancelled by its own saga, through the outbox.
            var publish = services.GetRequiredService<IPublishEndpoint>();
            foreach (var runId in active)
            {
                await publish.Publish(new CancelRun { RunId = runId, Reason = "canceled by cron overlap policy" }, ct);
                foreach (var child in await RunActionsApi.DescendantsAsync(db, runId, ct))
                {
                    await publish.Publish(new CancelRun { RunId = child, Reason = "parent run canceled" }, ct);
                }
            }
        }
    }

    /// <summary>How long to sleep: until the earliest due Time, at most the poll interval (other replicas' edits are seen then).</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
        var next = await db.Jobs.AsNoTracking()
            .Where(j => j.NextRunAt != null && j.Enabled && !j.Paused)
            .MinAsync(j => j.NextRunAt, ct);
        var poll = options.Value.PollInterval;
        if (next is not { } due)
        {
            return poll;
        }

        var wait = due - Time.GetUtcNow();
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < poll ? wait : poll;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron job {JobId} has an unusable schedule ({Error}); it is not scheduled again")]
    private partial void LogUnusableSchedule(Guid jobId, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron tick of job {JobId} skipped: {Active} run(s) still active (cron_overlap_policy skip)")]
    private partial void LogSkipped(Guid jobId, int active);
}
