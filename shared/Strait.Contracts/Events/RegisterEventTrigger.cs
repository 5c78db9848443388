namespace Strait.Contracts.Events;

/// <summary>
/// sdk-ingest → events, before a run is parked: create the waiting trigger for <see cref="EventKey"/> (unique per project
/// while waiting). Answered with <see cref="EventTriggerResult"/>: 200 created (or already created by this request), 409
/// key in use. The trigger exists before the run waits, so an event can never find a waiting run without its trigger.
/// runs-api sends it too, for a parent that awaits a spawned child (<see cref="TriggerType"/> <c>spawn_await</c>).
/// </summary>
public sealed record RegisterEventTrigger
{
    public required Guid TriggerId { get; init; }
    public required Guid RunId { get; init; }
    public required string ProjectId { get; init; }
    public required string EventKey { get; init; }
    public required int TimeoutSecs { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public string? NotifyUrl { get; init; }

    /// <summary><c>event</c> (an SDK wait for an event) or <c>spawn_await</c> (a parent awaiting its spawned child).</summary>
    public string TriggerType { get; init; } = EventTriggerTypes.Event;
}

public static class EventTriggerTypes
{
    public const string Event = "event";
    public const string SpawnAwait = "spawn_await";
}
