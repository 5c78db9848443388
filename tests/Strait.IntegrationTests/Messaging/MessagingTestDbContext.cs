using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.IntegrationTests.Messaging;

public class MessagingTestDbContext(DbContextOptions<MessagingTestDbContext> options) : DbContext(options)
{
    public const string Schema = "messaging_tests";

    public DbSet<CounterState> Counters => Set<CounterState>();

    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddStraitMessagingEntities();

        modelBuilder.Entity<CounterState>(counter =>
        {
            counter.ToTable("counters");
            counter.HasKey(x => x.CorrelationId);
            counter.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
            // Nullable because InsertOnInitial makes MassTransit insert the row before it sets the state;
            // the state is written in the same transaction, so a null never commits.
            counter.Property(x => x.CurrentState).HasColumnName("current_state").HasMaxLength(64).IsRequired(false);
            counter.Property(x => x.Count).HasColumnName("count");
            counter.Property(x => x.FiredCount).HasColumnName("fired_count");
            counter.Property(x => x.TimerTokenId).HasColumnName("timer_token_id");
        });

        modelBuilder.Entity<LedgerEntry>(entry =>
        {
            entry.ToTable("ledger");
            entry.Property(x => x.Id).HasColumnName("id");
            entry.Property(x => x.EntryId).HasColumnName("entry_id");
            entry.Property(x => x.Recorded).HasColumnName("recorded");
        });
    }
}
