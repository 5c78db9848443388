using System.Text.Json;

namespace Strait.Events.Data;

/// <summary>A waitpoint: a run (or workflow step) waiting for an event with a given key.</summary>
public sealed class EventTrigger
{
    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string EventKey { get; init; }
    public required string SourceType { get; init; }
    public Guid? RunId { get; init; }
    public string Status { get; set; } = "waiting";
    public JsonDocument? ResponsePayload { get; set; }
    public string? SentBy { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset TimeoutAt { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public DateTimeOffset? ReceivedAt { get; set; }
}
