namespace Strait.SdkIngest.Data;

/// <summary>AI model usage reported by the job.</summary>
public sealed class RunUsage
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public required string Provider { get; init; }
    public required string Model { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens { get; init; }
    public long CostMicrousd { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
