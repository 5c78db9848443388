namespace Strait.Contracts.Runs;

/// <summary>API <c>POST /v1/runs/{id}/restart</c>: executing or paused → queued, same attempt.</summary>
public sealed record RestartRun
{
    public required Guid RunId { get; init; }
}
