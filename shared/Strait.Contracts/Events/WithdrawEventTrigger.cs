namespace Strait.Contracts.Events;

/// <summary>
/// sdk-ingest → events: the run saga refused the wait a trigger was registered for, so the trigger never waited and is
/// removed (its key is free again).
/// </summary>
public sealed record WithdrawEventTrigger
{
    public required Guid TriggerId { get; init; }
    public required Guid RunId { get; init; }
}
