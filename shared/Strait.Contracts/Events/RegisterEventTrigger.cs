namespace Strait.Contracts.Events;

/// <summary>
/// sdk-ingest → events, before a run is parked: create the waiting trigger for <see cref="EventKey"/> (unique per project
/// while waiting). Answered with <see cref="EventTriggerResult"/>: 200 created (or already created by this request), 409
/// key in use. The trigger exists before the run waits, so an event can never find a waiting run without its trigger.
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
}
