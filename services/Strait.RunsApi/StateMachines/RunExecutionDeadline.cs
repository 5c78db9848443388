namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: The attempt ran longer than the job's timeout_secs.</summary>
public sealed record RunExecutionDeadline
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
}
