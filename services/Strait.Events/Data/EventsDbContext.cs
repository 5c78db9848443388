using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.Events.Data;

/// <summary>The events service's data: event triggers, in the <c>events</c> schema.</summary>
public sealed class EventsDbContext(DbContextOptions<EventsDbContext> options) : DbContext(options)
{
    public const string Schema = "events";

    public DbSet<EventTrigger> EventTriggers => Set<EventTrigger>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EventsDbContext).Assembly);
        modelBuilder.AddStraitMessagingEntities();
    }
}
