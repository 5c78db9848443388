namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: the event (or child) a waiting run waits for did not come in time.</summary>
public sealed record RunWaitTimeout
{
    public required Guid RunId { get; init; }
}
