namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: The back-off of a failed attempt is over; deliver the next attempt.</summary>
public sealed record RunRetryDue
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
}
