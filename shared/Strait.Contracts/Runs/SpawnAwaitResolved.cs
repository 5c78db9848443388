namespace Strait.Contracts.Runs;

/// <summary>
/// runs-api → events: the parent <see cref="RunId"/>, waiting on <c>spawn-await:&lt;ChildRunId&gt;</c>, was resumed by its
/// child's end. Published by the parent's saga when it takes that edge (not when the child ends), so a parent that timed
/// out or was canceled first never has its trigger marked received.
/// </summary>
public sealed record SpawnAwaitResolved
{
    public required Guid RunId { get; init; }
    public required Guid ChildRunId { get; init; }
    public required string ChildStatus { get; init; }
    public required DateTimeOffset At { get; init; }
}
