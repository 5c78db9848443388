using MassTransit;
using Strait.Contracts.Runs;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Sets a new run going from an API handler: its first message (a dispatch, or the scheduled-start timer), its expiry
/// timer and its creation on the timeline (told at once, or by the first transition of a run dispatched at once).
/// Everything is written to the handler's DbContext (bus outbox, durable scheduler), so it commits with the run row or
/// not at all. A run held back by job dependencies starts waiting.
/// </summary>
public sealed class RunScheduler(IPublishEndpoint publish, IMessageScheduler scheduler, RunsDbContext db)
{
    /// <param name="run">A new run made from <paramref name="job"/> (<see cref="RunFactory.Create"/>).</param>
    public async Task StartAsync(RunState run, Job job, CancellationToken cancellationToken)
    {
        await DependencyGate.HoldIfUnmetAsync(db, run, job.HasDependencies, cancellationToken);
        if (run.ScheduledAt is { } scheduledAt)
        {
            var due = await scheduler.SchedulePublish(scheduledAt.UtcDateTime, new RunScheduleDue { RunId = run.CorrelationId }, cancellationToken);
            run.ScheduleDueToken = due.TokenId;
        }
        else if (run.CurrentState != nameof(RunStateMachine.Waiting))
        {
            // A run held back by its dependencies is dispatched when RunDependenciesMet releases it.
            await publish.Publish(RunStateMachine.ToDispatch(run, run.CreatedAt), cancellationToken);
            // Dispatched at once, so it moves soon: its first transition tells its creation too, which spares every
            // reader of status changes a message per run. A copy a reader needs before that is seeded from runs-api.
            run.CreationUntold = true;
        }

        if (run.ExpiresAt is { } expiresAt)
        {
            var expiry = await scheduler.SchedulePublish(expiresAt.UtcDateTime, new RunExpiryDue { RunId = run.CorrelationId }, cancellationToken);
            run.ExpiryToken = expiry.TokenId;
        }

        if (run.CreationUntold)
        {
            return;
        }

        await publish.Publish(new RunStatusChanged
        {
            RunId = run.CorrelationId,
            ProjectId = run.ProjectId,
            JobId = run.JobId,
            From = null,
            To = RunStateMachine.Status(run),
            Attempt = run.Attempt,
            At = run.CreatedAt,
        }, cancellationToken);
    }
}
