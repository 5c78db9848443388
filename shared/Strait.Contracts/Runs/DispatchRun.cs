namespace Strait.Contracts.Runs;

/// <summary>
/// runs-api → dispatcher: deliver this attempt of a run once admission allows. Carries everything delivery needs so
/// the dispatcher never reads runs-api's tables.
/// </summary>
public sealed record DispatchRun
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required Guid JobId { get; init; }
    public required string ProjectId { get; init; }
    public required int Priority { get; init; }
    public string? ConcurrencyKey { get; init; }
    public required string EndpointUrl { get; init; }
    public string? SigningSecret { get; init; }

    /// <summary>Tried with the same request when <see cref="EndpointUrl"/> answers 429 or cannot be reached (semantics.md §4.1).</summary>
    public string? FallbackEndpointUrl { get; init; }
    public required int TimeoutSecs { get; init; }
    public int MaxConcurrency { get; init; }
    public int MaxConcurrencyPerKey { get; init; }
    public int RateLimitMax { get; init; }
    public int RateLimitWindowSecs { get; init; }

    /// <summary>The canonical JSON payload, sent as the request body byte for byte.</summary>
    public required string Payload { get; init; }

    /// <summary>When the run was created, for <c>queue_wait_ms</c>.</summary>
    public required DateTimeOffset RunCreatedAt { get; init; }

    /// <summary>When the saga decided this dispatch (see <see cref="WithdrawRun.IssuedAt"/>); null is taken as the time it arrives.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>Extra request headers: trace context from the trigger, <c>X-Previous-Error</c>, <c>X-Event-Key</c>.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
