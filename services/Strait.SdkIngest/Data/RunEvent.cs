using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>One entry of a run's timeline: a log line, a progress report, a state change…</summary>
public sealed class RunEvent
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public required string ProjectId { get; init; }
    public required string Type { get; init; }
    public string Level { get; init; } = "info";
    public string? Message { get; init; }
    public JsonDocument? Data { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
