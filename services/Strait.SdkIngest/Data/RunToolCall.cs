using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>A tool invocation reported by the job.</summary>
public sealed class RunToolCall
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public required string ToolName { get; init; }
    public JsonDocument? Input { get; init; }
    public JsonDocument? Output { get; init; }
    public long? DurationMs { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
