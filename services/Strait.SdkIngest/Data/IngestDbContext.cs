using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.SdkIngest.Data;

/// <summary>sdk-ingest's data: run telemetry, in the <c>ingest</c> schema.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    public const string Schema = "ingest";

    public DbSet<RunEvent> RunEvents => Set<RunEvent>();
    public DbSet<RunStateCopy> RunStates => Set<RunStateCopy>();
    public DbSet<RunAnnotation> RunAnnotations => Set<RunAnnotation>();
    public DbSet<RunCheckpoint> RunCheckpoints => Set<RunCheckpoint>();
    public DbSet<RunUsage> RunUsage => Set<RunUsage>();
    public DbSet<RunToolCall> RunToolCalls => Set<RunToolCall>();
    public DbSet<RunOutput> RunOutputs => Set<RunOutput>();
    public DbSet<RunStateEntry> RunStateEntries => Set<RunStateEntry>();
    public DbSet<JobMemory> JobMemory => Set<JobMemory>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(IngestDbContext).Assembly);
        modelBuilder.AddStraitMessagingEntities();
    }
}
