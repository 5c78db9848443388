namespace Strait.RunsApi.Data;

/// <summary>A tenant. Ids are chosen by the caller (e.g. <c>payments</c>), as in the original.</summary>
public sealed class Project
{
    public required string Id { get; init; }
    public required string OrgId { get; init; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
