namespace Strait.Contracts.Runs;

/// <summary>
/// A spawned run reached a terminal status; sent to its parent's saga (<see cref="RunId"/> is the parent). A parent
/// waiting on <c>spawn-await:&lt;ChildRunId&gt;</c> is resumed by it; any other parent ignores it.
/// </summary>
public sealed record ChildRunFinished
{
    public required Guid RunId { get; init; }
    public required Guid ChildRunId { get; init; }
    public required string ChildStatus { get; init; }
}
