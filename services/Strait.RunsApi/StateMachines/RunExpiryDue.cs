namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: The run's expires_at has passed; it expires unless it was already dispatched once.</summary>
public sealed record RunExpiryDue
{
    public required Guid RunId { get; init; }
}
