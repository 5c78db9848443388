namespace Strait.Contracts.Runs;

/// <summary>Timing of one HTTP delivery, in milliseconds (semantics.md §4.3).</summary>
public sealed record ExecutionTrace
{
    public long QueueWaitMs { get; init; }
    public long DispatchMs { get; init; }
    public long ConnectMs { get; init; }
    public long TtfbMs { get; init; }
    public long TransferMs { get; init; }
    public long TotalMs { get; init; }
}
