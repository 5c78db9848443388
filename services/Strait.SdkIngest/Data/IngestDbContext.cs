using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.SdkIngest.Data;

/// <summary>sdk-ingest's data: run telemetry, in the <c>ingest</c> schema.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    public const string Schema = "ingest";

    public DbSet<RunEvent> RunEvents => Set<RunEvent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(IngestDbContext).Assembly);
        modelBuilder.AddStraitMessagingEntities();
    }
}
