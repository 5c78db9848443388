namespace Strait.Contracts.Runs;

/// <summary>
/// The awaited event arrived (or the awaited child finished): waiting → queued, the same attempt delivered again with
/// <c>X-Event-Key</c> so the job code knows what it waited for.
/// </summary>
public sealed record ResumeWaitingRun
{
    public required Guid RunId { get; init; }
    public string? EventKey { get; init; }
}
