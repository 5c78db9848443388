using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>
/// One key of a job's persistent memory: shared by every run of the job, written and read by job code through any of
/// its runs' tokens (<c>/sdk/v1/runs/{id}/memory/{key}</c>). An expired key (<see cref="TtlExpiresAt"/> past) is absent.
/// </summary>
public sealed class JobMemory
{
    public Guid Id { get; init; }
    public Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public required string MemoryKey { get; init; }
    public required JsonDocument Value { get; init; }
    public int SizeBytes { get; init; }
    public DateTimeOffset? TtlExpiresAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
