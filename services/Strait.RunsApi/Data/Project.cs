namespace Strait.RunsApi.Data;

/// <summary>A tenant. Ids are chosen by the caller (e.g. <c>payments</c>), as in the original.</summary>
public sealed class Project
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>At most this many queued + delayed runs at once (semantics §6.3); null: no quota.</summary>
    public int? MaxQueuedRuns { get; set; }

    /// <summary>At most this many dequeued + executing runs at once; null: no quota.</summary>
    public int? MaxExecutingRuns { get; set; }
}
