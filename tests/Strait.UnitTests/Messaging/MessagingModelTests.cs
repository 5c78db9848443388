using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Strait.Messaging;
using Strait.Messaging.Entities;

namespace Strait.UnitTests.Messaging;

public class MessagingModelTests
{
    sealed class ServiceDbContext(DbContextOptions<ServiceDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.HasDefaultSchema("runs");
            modelBuilder.AddStraitMessagingEntities();
        }
    }

    static IModel Model()
    {
        // No connection is opened: building the model only needs the provider.
        using var dbContext = new ServiceDbContext(new DbContextOptionsBuilder<ServiceDbContext>().UseNpgsql("Host=unused").Options);
        return dbContext.Model;
    }

    [Theory]
    [InlineData(typeof(InboxState), "inbox_state")]
    [InlineData(typeof(OutboxMessage), "outbox_messages")]
    [InlineData(typeof(ScheduledMessage), "scheduled_messages")]
    public void AddStraitMessagingEntities_ServiceWithOwnSchema_TablesLandInThatSchema(Type entity, string table)
    {
        var entityType = Model().FindEntityType(entity)!;

        Assert.Equal(table, entityType.GetTableName());
        Assert.Equal("runs", entityType.GetSchema());
    }

    [Fact]
    public void AddStraitMessagingEntities_Inbox_KeyedByMessageAndConsumer()
    {
        var key = Model().FindEntityType(typeof(InboxState))!.FindPrimaryKey()!;

        Assert.Equal([nameof(InboxState.MessageId), nameof(InboxState.ConsumerId)], key.Properties.Select(x => x.Name));
    }

    [Fact]
    public void AddStraitMessagingEntities_ScheduledMessage_KeyedByTokenAndIndexedByDueTime()
    {
        var entityType = Model().FindEntityType(typeof(ScheduledMessage))!;

        Assert.Equal(nameof(ScheduledMessage.TokenId), Assert.Single(entityType.FindPrimaryKey()!.Properties).Name);
        Assert.Contains(entityType.GetIndexes(), x => x.Properties.Single().Name == nameof(ScheduledMessage.DueTime));
    }
}
