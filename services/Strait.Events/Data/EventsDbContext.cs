using Microsoft.EntityFrameworkCore;

namespace Strait.Events.Data;

/// <summary>The events service's data: event triggers, sources and webhook subscriptions, in the <c>events</c> schema.</summary>
public sealed class EventsDbContext(DbContextOptions<EventsDbContext> options) : DbContext(options)
{
    public const string Schema = "events";

    public DbSet<EventTrigger> EventTriggers => Set<EventTrigger>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EventsDbContext).Assembly);
    }
}
