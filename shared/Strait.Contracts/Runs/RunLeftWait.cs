namespace Strait.Contracts.Runs;

/// <summary>
/// Published by the run saga, in the transaction of the transition (outbox), when a run leaves <c>waiting</c> other
/// than back to the queue: its wait timed out (<c>timed_out</c>), or it was canceled or finished by its own code. The
/// events service closes the run's waiting event triggers; it needs no other status change.
/// </summary>
public sealed record RunLeftWait
{
    public required Guid RunId { get; init; }
    public required string ProjectId { get; init; }

    /// <summary>The status the run left the wait for.</summary>
    public required string To { get; init; }

    public required DateTimeOffset At { get; init; }
}
