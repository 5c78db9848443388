namespace Strait.SdkIngest.Data;

/// <summary>
/// sdk-ingest's copy of a run's status and current attempt, kept from <c>RunStatusChanged</c>, so the SDK guard
/// never calls runs-api on the hot path. It also holds the per-run checkpoint counter.
/// </summary>
public sealed class RunStateCopy
{
    public Guid RunId { get; init; }
    public required string ProjectId { get; init; }
    public Guid JobId { get; init; }
    public required string Status { get; set; }
    public int Attempt { get; set; }
    public int CheckpointSequence { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
