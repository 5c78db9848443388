namespace Strait.Contracts.Events;

/// <summary>The events service's answer to <see cref="RegisterEventTrigger"/>, as the HTTP status the caller should get.</summary>
public sealed record EventTriggerResult
{
    public required Guid TriggerId { get; init; }
    public required int Status { get; init; }
    public string? Error { get; init; }
}
