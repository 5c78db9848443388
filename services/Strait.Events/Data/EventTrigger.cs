using System.Text.Json;

namespace Strait.Events.Data;

/// <summary>A waitpoint: a run (or workflow step) waiting for an event with a given key.</summary>
public sealed class EventTrigger
{
    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string EventKey { get; init; }

    /// <summary><c>job_run</c> (SDK wait-for-event) or <c>workflow_step</c>.</summary>
    public required string SourceType { get; init; }

    /// <summary>The waiting job run (<c>job_run_id</c> in the API).</summary>
    public Guid? RunId { get; init; }

    /// <summary><see cref="EventTriggerStatuses"/>.</summary>
    public string Status { get; set; } = EventTriggerStatuses.Waiting;

    public string TriggerType { get; init; } = "event";
    public JsonDocument? ResponsePayload { get; set; }
    public string? SentBy { get; set; }
    public string? Error { get; set; }
    public string? NotifyUrl { get; init; }
    public int TimeoutSecs { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public DateTimeOffset? ReceivedAt { get; set; }
}
