namespace Strait.RunsApi.StateMachines;

/// <summary>
/// A run of a chained job ended (runs-api internal, published by its saga in the transaction of the terminal transition):
/// trigger <see cref="TargetJobId"/> once for it.
/// </summary>
public sealed record RunChainRequested
{
    public required Guid SourceRunId { get; init; }
    public required Guid TargetJobId { get; init; }
}
