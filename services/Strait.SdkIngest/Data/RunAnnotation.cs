namespace Strait.SdkIngest.Data;

/// <summary>One key of a run's SDK annotations (merged per key, last write wins).</summary>
public sealed class RunAnnotation
{
    public Guid RunId { get; init; }
    public required string Key { get; init; }
    public required string Value { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
