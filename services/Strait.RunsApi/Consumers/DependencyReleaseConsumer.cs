using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Consumers;

/// <summary>
/// A run finished: the waiting runs of the jobs that depend on its job are checked again, and each whose dependencies are
/// now all satisfied is released through its saga (<see cref="RunDependenciesMet"/>). A redelivery or a second replica
/// sends at most another release, which the saga ignores once the run has left waiting.
/// </summary>
public sealed class DependencyReleaseConsumer(RunsDbContext db) : IConsumer<RunStatusChanged>
{
    public async Task Consume(ConsumeContext<RunStatusChanged> context)
    {
        var message = context.Message;
        if (!RunStatuses.Terminal.Contains(message.To))
        {
            return;
        }

        var ct = context.CancellationToken;
        var dependentJobs = await db.JobDependencies.AsNoTracking()
            .Where(d => d.DependsOnJobId == message.JobId && d.ProjectId == message.ProjectId)
            .Select(d => d.JobId).Distinct().OrderBy(id => id).ToListAsync(ct);
        foreach (var jobId in dependentJobs)
        {
            foreach (var runId in await ReleasableAsync(db, jobId, ct))
            {
                await context.Publish(new RunDependenciesMet { RunId = runId }, ct);
            }
        }
    }

    /// <summary>The waiting runs of a job whose dependencies are all satisfied now.</summary>
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
