namespace Strait.Contracts.Runs;

/// <summary>
/// Move a run that has not started (delayed, or queued and never dispatched) to a new start time, optionally with a new
/// payload (API <c>POST /v1/runs/{id}/reschedule</c>). A time not after now queues it at once.
/// </summary>
public sealed record RescheduleRun
{
    public required Guid RunId { get; init; }
    public required DateTimeOffset ScheduledAt { get; init; }

    /// <summary>The new canonical JSON payload, or null to keep the current one.</summary>
    public string? Payload { get; init; }

    /// <summary>The SHA-256 hex of <see cref="Payload"/>, when there is one.</summary>
    public string? PayloadHash { get; init; }
}
