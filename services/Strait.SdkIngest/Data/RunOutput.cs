using System.Text.Json;

namespace Strait.SdkIngest.Data;

/// <summary>A keyed structured output; writing a key again replaces it (new id and timestamp).</summary>
public sealed class RunOutput
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public required string OutputKey { get; init; }
    public JsonDocument? Schema { get; init; }
    public required JsonDocument Value { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
