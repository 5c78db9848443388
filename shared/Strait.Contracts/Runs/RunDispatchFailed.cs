namespace Strait.Contracts.Runs;

/// <summary>dispatcher → run saga: the delivery failed (ARCHITECTURE §3 classifies what is retryable).</summary>
public sealed record RunDispatchFailed
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }

    /// <summary>timeout, rate_limited, auth, client, server, connection, transient, unknown.</summary>
    public required string ErrorClass { get; init; }

    public required string Error { get; init; }
    public required bool Retryable { get; init; }
    public int? StatusCode { get; init; }

    /// <summary>A 429's <c>Retry-After</c>, honoured as the minimum back-off.</summary>
    public int? RetryAfterSecs { get; init; }

    public ExecutionTrace? Trace { get; init; }

    /// <summary>When the call started: the attempt's start when no <see cref="RunDispatchStarted"/> preceded the outcome.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
