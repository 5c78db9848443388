using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Job chaining (semantics.md §9.3): a job may name a job of its project to trigger after each of its runs completes
/// (with the result as payload) or fails (dead_letter, timed_out, crashed, system_failed; with a summary of the failure).
/// The saga asks for it when the run ends (<see cref="RunChainRequested"/>); <see cref="Consumers.RunChainConsumer"/>
/// creates the downstream run. Workflows do not exist here, so the workflow targets are refused.
/// </summary>
public static class JobChaining
{
    public const int MaxChainDepth = 10;
    public const string TriggeredBy = "chain";

    public static readonly IReadOnlySet<string> FailureStatuses = new HashSet<string>(StringComparer.Ordinal)
    {
        RunStatuses.DeadLetter, RunStatuses.TimedOut, RunStatuses.Crashed, RunStatuses.SystemFailed,
    };

    /// <summary>The rules that need no database: ids, no workflows, mappings that are objects.</summary>
    public static void Validate(JobRequest body, List<string> errors)
    {
        Id(errors, "on_complete_trigger_job", body.OnCompleteTriggerJob);
        Id(errors, "on_failure_trigger_job", body.OnFailureTriggerJob);
        if (!string.IsNullOrEmpty(body.OnCompleteTriggerWorkflow))
        {
            errors.Add("on_complete_trigger_workflow: workflows are not supported");
        }

        if (!string.IsNullOrEmpty(body.OnFailureTriggerWorkflow))
        {
            errors.Add("on_failure_trigger_workflow: workflows are not supported");
        }

        Mapping(errors, "on_complete_payload_mapping", body.OnCompletePayloadMapping);
        Mapping(errors, "on_failure_payload_mapping", body.OnFailurePayloadMapping);
    }

    /// <summary>The targets must be jobs of the same project (another project's job answers as an unknown one).</summary>
    public static async Task<List<string>> CheckTargetsAsync(RunsDbContext db, string projectId, JobRequest body, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var (field, value) in new[] { ("on_complete_trigger_job", body.OnCompleteTriggerJob), ("on_failure_trigger_job", body.OnFailureTriggerJob) })
        {
            if (Guid.TryParse(value, out var id) && !await db.Jobs.AnyAsync(j => j.Id == id && j.ProjectId == projectId, ct))
            {
                errors.Add($"{field}: job not found in this project");
            }
        }

        return errors;
    }

    public static void Apply(Job job, JobRequest body)
    {
        job.OnCompleteTriggerJob = Guid.TryParse(body.OnCompleteTriggerJob, out var onComplete) ? onComplete : null;
        job.OnFailureTriggerJob = Guid.TryParse(body.OnFailureTriggerJob, out var onFailure) ? onFailure : null;
        job.OnCompletePayloadMapping = Text(body.OnCompletePayloadMapping);
        job.OnFailurePayloadMapping = Text(body.OnFailurePayloadMapping);
    }

    /// <summary>The target to trigger when <paramref name="run"/> ends with its current status, if any.</summary>
    public static Guid? TargetFor(RunState run)
    {
        var status = RunStateMachine.Status(run);
        return status == RunStatuses.Completed ? run.ChainOnComplete
            : FailureStatuses.Contains(status) ? run.ChainOnFailure
            : null;
    }

    private static void Id(List<string> errors, string field, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !Guid.TryParse(value, out _))
        {
            errors.Add($"{field}: must be a job id");
        }
    }

    private static void Mapping(List<string> errors, string field, JsonElement? value)
    {
        if (value is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            errors.Add($"{field}: must be a JSON object");
        }
    }

    private static string? Text(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Object } mapping ? mapping.GetRawText() : null;
}
