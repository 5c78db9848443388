using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Hosting;

namespace Strait.RunsApi.Scheduling;

/// <summary>
/// Releases runs held back by job dependencies (semantics.md §9.4): every second it looks for runs waiting with
/// <c>wait_reason=dependencies</c> (a partial index makes that free while there are none), re-checks each such job's
/// waiting runs under the trigger's per-job lock, and releases the satisfied ones through their sagas
/// (<see cref="RunDependenciesMet"/>, through the outbox). Polling the few held runs costs nothing per finished run,
/// where listening to every run's end would cost a delivery and a transaction each. Several replicas may release the
/// same run: the saga ignores a release once the run has left its wait.
/// </summary>
public sealed class DependencyReleaser(IServiceScopeFactory scopes, TimeProvider time, ILogger<DependencyReleaser> logger)
    : PollingService(time, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override TimeSpan RetryDelay => Interval;

    protected override async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        await ReleaseAsync(cancellationToken);
        return Interval;
    }

    /// <summary>One pass over the jobs that have held runs; returns how many runs it released.</summary>
    public async Task<int> ReleaseAsync(CancellationToken ct)
    {
        List<Guid> jobs;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
            jobs = await db.Runs.AsNoTracking()
                .Where(r => r.CurrentState == nameof(RunStateMachine.Waiting) && r.WaitReason == RunStateMachine.DependencyWaitReason)
                .Select(r => r.JobId).Distinct().ToListAsync(ct);
        }

        var released = 0;
        foreach (var jobId in jobs)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var runId in await ReleasableAsync(db, jobId, ct))
            {
                await publish.Publish(new RunDependenciesMet { RunId = runId }, ct);
                released++;
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return released;
    }

    /// <summary>The waiting runs of a job whose dependencies are all satisfied now (call inside a transaction).</summary>
    public static async Task<IReadOnlyList<Guid>> ReleasableAsync(RunsDbContext db, Guid jobId, CancellationToken ct)
    {
        // The trigger's lock: a run being created waiting is committed before we look, or sees the finished upstream run.
        await DependencyGate.LockAsync(db, jobId, ct);
        var waiting = await db.Runs.AsNoTracking()
            .Where(r => r.JobId == jobId && r.WaitReason == RunStateMachine.DependencyWaitReason
                && r.CurrentState == nameof(RunStateMachine.Waiting))
            .OrderBy(r => r.CreatedAt)
            .ToListAsync(ct);
        var released = new List<Guid>();
        foreach (var run in waiting)
        {
            if ((await DependencyGate.CheckAsync(db, run, ct)).All(c => c.Satisfied))
            {
                released.Add(run.CorrelationId);
            }
        }

        return released;
    }
}
