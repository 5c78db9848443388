namespace Strait.Dispatcher.Data;

/// <summary>
/// One attempt of a run waiting for, or holding, a dispatch slot. Rows are deleted when the slot is freed; the run's
/// history lives in runs-api.
/// </summary>
public sealed class DispatchQueueEntry
{
    public Guid RunId { get; init; }
    public int Attempt { get; init; }
    public Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public int Priority { get; init; }
    public string? ConcurrencyKey { get; init; }
    public required string EndpointUrl { get; init; }
    public string? SigningSecret { get; init; }
    public string? FallbackEndpointUrl { get; init; }
    public int TimeoutSecs { get; init; }
    public int MaxConcurrency { get; init; }
    public int MaxConcurrencyPerKey { get; init; }
    public int RateLimitMax { get; init; }
    public int RateLimitWindowSecs { get; init; }
    public required string Payload { get; init; }

    /// <summary>Extra request headers as a JSON object of strings.</summary>
    public string? Headers { get; init; }

    public DateTimeOffset RunCreatedAt { get; init; }

    /// <summary>When the saga issued this dispatch; a withdrawal removes only dispatches issued before it.</summary>
    public DateTimeOffset IssuedAt { get; init; }
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>One of <see cref="DispatchQueueStatus"/>.</summary>
    public string Status { get; set; } = DispatchQueueStatus.Pending;

    /// <summary>The last wait reason published for this attempt (null once admitted or never blocked).</summary>
    public string? WaitReason { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>The replica delivering the attempt while it is <see cref="DispatchQueueStatus.Active"/>.</summary>
    public string? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }
}
