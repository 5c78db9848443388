using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>One key of the run-scoped key/value store the SDK reads and writes (<c>/state</c>).</summary>
public sealed class RunStateEntry
{
    public Guid RunId { get; init; }
    public required string Key { get; init; }
    public required JsonDocument Value { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
