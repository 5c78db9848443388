namespace Strait.Contracts.Runs;

/// <summary>dispatcher → run saga: the attempt was admitted and its HTTP call is starting (queued → executing).</summary>
public sealed record RunDispatchStarted
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
}
