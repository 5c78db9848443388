using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Consumers;

/// <summary>
/// Creates the downstream run of a chained job (semantics.md §9.3), in the consume transaction with its inbox row, so a
/// redelivered request creates nothing more. After <c>completed</c> the payload is the result; after a failure it is
/// <c>{source_job_id, source_run_id, error, error_class, status, attempt, original_input}</c>. The downstream run is a
/// child of the source run (<c>lineage_depth</c> + 1, tags <c>source_job_id</c>/<c>source_run_id</c>); nothing is
/// triggered at depth 10, or when the target job is gone, disabled or paused.
/// </summary>
public sealed partial class RunChainConsumer(RunsDbContext db, RunScheduler scheduler, TimeProvider time, ILogger<RunChainConsumer> logger)
    : IConsumer<RunChainRequested>
{
    private static readonly TriggerRequest NoTrigger = new(null, null, null, null, null, null, null, null);

    public async Task Consume(ConsumeContext<RunChainRequested> context)
    {
        var ct = context.CancellationToken;
        var m = context.Message;
        var source = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == m.SourceRunId, ct);
        if (source is null)
        {
            return;
        }

        if (source.LineageDepth + 1 >= JobChaining.MaxChainDepth)
        {
            LogSkipped(source.CorrelationId, m.TargetJobId, "chain depth limit reached");
            return;
        }

        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == m.TargetJobId && j.ProjectId == source.ProjectId, ct);
        if (job is not { Enabled: true, Paused: false })
        {
            LogSkipped(source.CorrelationId, m.TargetJobId, job is null ? "target job not found" : "target job disabled or paused");
            return;
        }

        var payload = CanonicalJson.Canonicalize(Payload(source));
        var run = RunFactory.Create(job, NoTrigger, payload, CanonicalJson.Hash(payload), time.GetUtcNow(), JobChaining.TriggeredBy,
            "system:chain", []);
        run.ParentRunId = source.CorrelationId;
        run.LineageDepth = source.LineageDepth + 1;
        run.Tags["source_job_id"] = source.JobId.ToString();
        run.Tags["source_run_id"] = source.CorrelationId.ToString();
        await scheduler.StartAsync(run, job, ct);
        db.Runs.Add(run);
        await db.SaveChangesAsync(ct);
    }

    private static JsonElement Payload(RunState source)
    {
        var status = RunStateMachine.Status(source);
        if (status == RunStatuses.Completed)
        {
            return source.Result is { } result ? JsonDocument.Parse(result).RootElement.Clone() : JsonDocument.Parse("null").RootElement.Clone();
        }

        var summary = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["source_job_id"] = source.JobId,
            ["source_run_id"] = source.CorrelationId,
            ["error"] = source.Error,
            ["error_class"] = source.ErrorClass,
            ["status"] = status,
            ["attempt"] = source.Attempt,
            ["original_input"] = JsonDocument.Parse(source.Payload).RootElement.Clone(),
        };
        return JsonSerializer.SerializeToElement(summary);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chained run of {SourceRunId} → job {TargetJobId} not triggered: {Reason}")]
    private partial void LogSkipped(Guid sourceRunId, Guid targetJobId, string reason);
}
