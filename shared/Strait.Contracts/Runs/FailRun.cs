namespace Strait.Contracts.Runs;

/// <summary>SDK <c>/fail</c>: the job code gives up on this attempt; with <see cref="Retry"/> and attempts left it is retried.</summary>
public sealed record FailRun
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required string Error { get; init; }
    public bool Retry { get; init; }
}
