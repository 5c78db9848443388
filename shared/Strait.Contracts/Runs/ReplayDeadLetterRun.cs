namespace Strait.Contracts.Runs;

/// <summary>API <c>POST /v1/runs/{id}/dlq-replay</c>: put a dead-lettered run back in the queue, attempt 1.</summary>
public sealed record ReplayDeadLetterRun
{
    public required Guid RunId { get; init; }
}
