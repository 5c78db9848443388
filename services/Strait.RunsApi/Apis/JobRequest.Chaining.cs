using System.Text.Json;

namespace Strait.RunsApi.Apis;

/// <summary>The job chaining fields (routes.md §3.1).</summary>
public sealed partial record JobRequest
{
    public string? OnCompleteTriggerJob { get; init; }
    public string? OnFailureTriggerJob { get; init; }
    public string? OnCompleteTriggerWorkflow { get; init; }
    public string? OnFailureTriggerWorkflow { get; init; }
    public JsonElement? OnCompletePayloadMapping { get; init; }
    public JsonElement? OnFailurePayloadMapping { get; init; }
}
