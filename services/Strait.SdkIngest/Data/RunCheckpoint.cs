using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>A numbered snapshot of job state saved by the SDK; <see cref="Sequence"/> is 1, 2, 3… per run.</summary>
public sealed class RunCheckpoint
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public int Sequence { get; init; }
    public required string Source { get; init; }
    public required JsonDocument State { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
