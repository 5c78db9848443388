namespace Strait.Contracts.Runs;

/// <summary>Cancel a non-terminal run (API <c>DELETE /v1/runs/{id}</c>, parent cascade).</summary>
public sealed record CancelRun
{
    public required Guid RunId { get; init; }
    public required string Reason { get; init; }
}
