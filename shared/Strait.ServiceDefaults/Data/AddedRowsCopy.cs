using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Strait.ServiceDefaults.Data;

/// <summary>
/// Writes the entities of one type a context has added with one binary <c>COPY</c>, then stops tracking them, so that
/// the following <c>SaveChanges</c> writes only the rest. For handlers that add hundreds of wide rows at once (a bulk
/// trigger): SaveChanges would build, and PostgreSQL parse, one INSERT per row with a parameter per column, which
/// costs far more CPU than the rows themselves. The columns, names, types and value converters come from the EF
/// model, so the rows are those SaveChanges would have written; identity columns are left to the database (their
/// values are not read back, which is why the entries are detached rather than kept).
/// </summary>
public static class AddedRowsCopy
{
    private static readonly ConcurrentDictionary<IEntityType, Plan> Plans = new();

    /// <summary>
    /// Copies the added <typeparamref name="TEntity"/> entries inside the context's current transaction (required:
    /// the rows must commit with the rest of the unit of work) and returns how many it wrote.
    /// </summary>
    public static async Task<int> CopyAddedAsync<TEntity>(this DbContext db, CancellationToken cancellationToken) where TEntity : class
    {
        // No DetectChanges pass over every tracked entity first: an added entry's current values are read from the entity.
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        List<EntityEntry<TEntity>> entries;
        try
        {
            entries = db.ChangeTracker.Entries<TEntity>().Where(e => e.State == EntityState.Added).ToList();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }

        if (entries.Count == 0)
        {
            return 0;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException($"copying {typeof(TEntity).Name} rows needs a transaction: they must commit with the rest of the unit of work");
        }

        var entityType = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not part of {db.GetType().Name}'s model");
        var plan = Plans.GetOrAdd(entityType, Plan.For);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var importer = await connection.BeginBinaryImportAsync(plan.Command, cancellationToken))
        {
            foreach (var entry in entries)
            {
                await importer.StartRowAsync(cancellationToken);
                foreach (var column in plan.Columns)
                {
                    var value = entry.Property(column.Property).CurrentValue;
                    if (value is not null && column.Converter is { } converter)
                    {
                        value = converter.ConvertToProvider(value);
                    }

                    if (value is null)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await importer.WriteAsync(value, column.DataTypeName, cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        foreach (var entry in entries)
        {
            entry.State = EntityState.Detached;
        }

        return entries.Count;
    }

    private sealed record Column(IProperty Property, ValueConverter? Converter, string DataTypeName);

    private sealed record Plan(string Command, IReadOnlyList<Column> Columns)
    {
        public static Plan For(IEntityType entityType)
        {
            if (entityType.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) || entityType.GetComplexProperties().Any())
            {
                throw new NotSupportedException($"{entityType.DisplayName()}: owned and complex properties are not copied");
            }

            var table = entityType.GetTableName() ?? throw new NotSupportedException($"{entityType.DisplayName()} is not mapped to a table");
            var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
            var columns = new List<Column>();
            foreach (var property in entityType.GetProperties())
            {
                if (property.GetValueGenerationStrategy() is NpgsqlValueGenerationStrategy.IdentityAlwaysColumn
                    or NpgsqlValueGenerationStrategy.IdentityByDefaultColumn or NpgsqlValueGenerationStrategy.SerialColumn)
                {
                    continue;
                }

                if (property.GetComputedColumnSql() is not null || property.GetDefaultValueSql() is not null || property.TryGetDefaultValue(out _))
                {
                    // SaveChanges leaves such a column to the database when the value is the CLR default; a copy cannot.
                    throw new NotSupportedException($"{entityType.DisplayName()}.{property.Name}: columns with database defaults are not copied");
                }

                var mapping = property.GetRelationalTypeMapping();
                columns.Add(new Column(property, mapping.Converter, BaseTypeName(mapping.StoreType)));
            }

            var names = string.Join(", ", columns.Select(c => Quote(c.Property.GetColumnName(store)!)));
            var target = store.Schema is { } schema ? $"{Quote(schema)}.{Quote(table)}" : Quote(table);
            return new Plan($"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)", columns);
        }

        /// <summary><c>character varying(16)</c> → <c>character varying</c>: the copy names the type, not its facets.</summary>
        private static string BaseTypeName(string storeType)
        {
            var open = storeType.IndexOf('(', StringComparison.Ordinal);
            if (open < 0)
            {
                return storeType;
            }

            var close = storeType.IndexOf(')', open);
            return (storeType[..open] + storeType[(close + 1)..]).Trim();
        }

        private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
