namespace Strait.RunsApi.Data;

/// <summary>
/// Runs of <see cref="JobId"/> started now wait until the latest finished run of <see cref="DependsOnJobId"/> ended as
/// <see cref="Condition"/> asks (semantics.md §9.4). Both jobs are in one project.
/// </summary>
public sealed class JobDependency
{
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Any = "any";

    public static readonly IReadOnlySet<string> Conditions = new HashSet<string>(StringComparer.Ordinal) { Completed, Failed, Any };

    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public Guid JobId { get; init; }
    public Guid DependsOnJobId { get; init; }
    public required string Condition { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
