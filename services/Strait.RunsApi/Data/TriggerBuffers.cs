namespace Strait.RunsApi.Data;

/// <summary>One pending debounced trigger per (job, debounce key): the latest trigger wins, it fires at <see cref="FireAt"/>.</summary>
public sealed class DebounceEntry
{
    public Guid Id { get; init; }
    public Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public required string Key { get; init; }
    public required string Payload { get; set; }
    public Dictionary<string, string> Tags { get; set; } = [];
    public int Priority { get; set; }
    public string? ConcurrencyKey { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset FireAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One buffered trigger of a batching job, waiting to become an item of a batch run.</summary>
public sealed class BatchItem
{
    public Guid Id { get; init; }
    public Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public required string Key { get; init; }
    public required string Payload { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
