namespace Strait.Contracts.Runs;

/// <summary>API <c>POST /v1/runs/{id}/pause</c>: executing → paused (the in-flight call is not aborted; its outcome is discarded).</summary>
public sealed record PauseRun
{
    public required Guid RunId { get; init; }
}
