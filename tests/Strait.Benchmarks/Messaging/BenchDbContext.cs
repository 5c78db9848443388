using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.Benchmarks.Messaging;

public class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema("bench");
        modelBuilder.AddStraitMessagingEntities();
        modelBuilder.Entity<BenchState>(state =>
        {
            state.ToTable("bench_sagas");
            state.HasKey(x => x.CorrelationId);
            state.Property(x => x.CorrelationId).ValueGeneratedNever();
            state.Property(x => x.CurrentState).HasMaxLength(32);
        });
        modelBuilder.Entity<BenchLedgerEntry>().ToTable("bench_ledger");
    }
}
