using Microsoft.EntityFrameworkCore;
using Strait.Messaging;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Data;

/// <summary>runs-api's data: projects, API keys, jobs, runs (the run saga's rows) and the messaging tables, in the <c>runs</c> schema.</summary>
public sealed class RunsDbContext(DbContextOptions<RunsDbContext> options) : DbContext(options)
{
    public const string Schema = "runs";

    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobVersion> JobVersions => Set<JobVersion>();
    public DbSet<RunState> Runs => Set<RunState>();
    public DbSet<DebounceEntry> DebounceEntries => Set<DebounceEntry>();
    public DbSet<BatchItem> BatchItems => Set<BatchItem>();
    public DbSet<JobDependency> JobDependencies => Set<JobDependency>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(RunsDbContext).Assembly);
        modelBuilder.AddStraitMessagingEntities();
    }
}
