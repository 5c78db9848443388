namespace Strait.Contracts.Runs;

/// <summary>dispatcher → run saga: the endpoint answered 202; the job code will report through the SDK plane.</summary>
public sealed record RunDispatchAccepted
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required ExecutionTrace Trace { get; init; }

    /// <summary>When the call started: the attempt's start when no <see cref="RunDispatchStarted"/> preceded the outcome.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
