using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.Dispatcher.Data;

/// <summary>The dispatcher's data: admission state, execution traces and workers, in the <c>dispatch</c> schema.</summary>
public sealed class DispatcherDbContext(DbContextOptions<DispatcherDbContext> options) : DbContext(options)
{
    public const string Schema = "dispatch";

    public DbSet<Worker> Workers => Set<Worker>();

    public DbSet<DispatchQueueEntry> DispatchQueue => Set<DispatchQueueEntry>();

    public DbSet<DispatchStart> DispatchStarts => Set<DispatchStart>();

    public DbSet<DispatchWithdrawal> DispatchWithdrawals => Set<DispatchWithdrawal>();

    public DbSet<EndpointCircuit> EndpointCircuits => Set<EndpointCircuit>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(DispatcherDbContext).Assembly);
        modelBuilder.AddStraitMessagingEntities();
    }
}
