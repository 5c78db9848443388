namespace Strait.RunsApi.Data;

/// <summary>Job chaining (semantics.md §9.3): the job whose run is triggered after a run of this one completes or fails.</summary>
public sealed partial class Job
{
    public Guid? OnCompleteTriggerJob { get; set; }
    public Guid? OnFailureTriggerJob { get; set; }

    /// <summary>Stored and returned only (JSON text); the downstream payload is the result, or the failure summary.</summary>
    public string? OnCompletePayloadMapping { get; set; }

    public string? OnFailurePayloadMapping { get; set; }
}
