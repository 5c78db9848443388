namespace Strait.RunsApi.Data;

public sealed partial class Job
{
    /// <summary>
    /// Whether the job has (or may have) dependencies: set when one is added, recomputed when one is removed. A trigger
    /// reads it with the job it loads anyway, so jobs without dependencies cost the dependency gate no query.
    /// </summary>
    public bool HasDependencies { get; set; }
}
