namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: The run's scheduled_at has come (delayed → queued).</summary>
public sealed record RunScheduleDue
{
    public required Guid RunId { get; init; }
}
