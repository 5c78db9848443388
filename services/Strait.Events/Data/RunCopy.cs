namespace Strait.Events.Data;

/// <summary>
/// The events service's copy of a run's project and status, kept from <c>RunStatusChanged</c>, so a live stream is
/// project-scoped (404 for another project's run) and refused once the run is over (410) without asking runs-api.
/// </summary>
public sealed class RunCopy
{
    public Guid RunId { get; init; }
    public required string ProjectId { get; init; }
    public required string Status { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}
