namespace Strait.Contracts.Events;

/// <summary>
/// Published by events when <c>/v1/events/{key}/send</c> resolved a waiting run's trigger (committed with the trigger's
/// change). sdk-ingest stores <see cref="Payload"/> where the job code reads it (a checkpoint with source <c>event</c> and
/// the run state key <c>event:&lt;key&gt;</c>) and only then resumes the run, so the resumed attempt always finds it.
/// </summary>
public sealed record EventReceived
{
    public required Guid RunId { get; init; }
    public required Guid TriggerId { get; init; }
    public required string ProjectId { get; init; }
    public required string EventKey { get; init; }

    /// <summary>The payload as JSON text; null when the event carried none.</summary>
    public string? Payload { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
