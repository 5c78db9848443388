using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Strait.Messaging.Entities;

namespace Strait.Messaging;

/// <summary>Quoted table and column names from a context's model, for the few raw SQL statements.</summary>
sealed class StoreNames
{
    static readonly ConcurrentDictionary<(Type Context, Type Entity), StoreNames> Cache = new();

    StoreNames(string schema, string table, string keyColumn)
    {
        Schema = schema;
        QualifiedTable = $"\"{schema}\".\"{table}\"";
        KeyColumn = $"\"{keyColumn}\"";
    }

    public string Schema { get; }

    public string QualifiedTable { get; }

    /// <summary>The first primary-key column.</summary>
    public string KeyColumn { get; }

    public static StoreNames For<TEntity>(DbContext dbContext) =>
        Cache.GetOrAdd((dbContext.GetType(), typeof(TEntity)), key =>
        {
            var entityType = dbContext.Model.FindEntityType(key.Entity)
                ?? throw new InvalidOperationException(
                    $"{key.Entity.Name} is not mapped by {key.Context.Name}; map sagas in the context and call modelBuilder.AddStraitMessagingEntities().");
            var table = entityType.GetTableName()!;
            var schema = entityType.GetSchema() ?? "public";
            var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
            var keyColumn = entityType.FindPrimaryKey()!.Properties[0].GetColumnName(store)!;
            return new StoreNames(schema, table, keyColumn);
        });

    public static StoreNames Outbox(DbContext dbContext) => For<OutboxMessage>(dbContext);

    public static StoreNames Inbox(DbContext dbContext) => For<InboxState>(dbContext);

    public static StoreNames Scheduled(DbContext dbContext) => For<ScheduledMessage>(dbContext);
}
