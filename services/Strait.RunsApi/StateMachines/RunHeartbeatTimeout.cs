namespace Strait.RunsApi.StateMachines;

/// <summary>Timer: An accepted (202) attempt stopped sending heartbeats.</summary>
public sealed record RunHeartbeatTimeout
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
}
