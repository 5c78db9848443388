namespace Strait.Contracts.Runs;

/// <summary>dispatcher → run saga: the endpoint answered 2xx (not 202); the body is the result.</summary>
public sealed record RunDispatchSucceeded
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required int StatusCode { get; init; }

    /// <summary>The response body as JSON (a JSON string when the body was not JSON); null when empty.</summary>
    public string? Result { get; init; }

    public required ExecutionTrace Trace { get; init; }

    /// <summary>When the call started: the attempt's start when no <see cref="RunDispatchStarted"/> preceded the outcome.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
