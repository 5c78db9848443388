using System.Text.Json;

namespace Strait.RunsApi.Data;

/// <summary>A job's definition as it was at one version: recorded on creation and on every change.</summary>
public sealed class JobVersion
{
    public Guid Id { get; init; }
    public Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public int Version { get; init; }
    public required string VersionId { get; init; }
    public required JsonDocument Definition { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
