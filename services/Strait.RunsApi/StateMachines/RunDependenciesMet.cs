namespace Strait.RunsApi.StateMachines;

/// <summary>
/// The job dependencies a run was held back for are satisfied (waiting → queued). Sent by
/// <see cref="Scheduling.DependencyReleaser"/>; a run no longer waiting for dependencies ignores it.
/// </summary>
public sealed record RunDependenciesMet
{
    public required Guid RunId { get; init; }
}
