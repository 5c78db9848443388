namespace Strait.Contracts.Runs;

/// <summary>
/// dispatcher → run saga: why a queued run is not being delivered yet (<c>job_concurrency 5/5</c>,
/// <c>key_concurrency acme 2/2</c>, <c>rate_limited until …</c>), or null once it is admitted.
/// </summary>
public sealed record RunWaitReasonChanged
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public string? WaitReason { get; init; }
}
