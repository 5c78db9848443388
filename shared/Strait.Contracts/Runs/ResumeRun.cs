namespace Strait.Contracts.Runs;

/// <summary>API <c>POST /v1/runs/{id}/resume</c>: paused → queued, same attempt.</summary>
public sealed record ResumeRun
{
    public required Guid RunId { get; init; }
}
