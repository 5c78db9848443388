using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging.Sagas;

static class SagaRowLock
{
    /// <summary>Reads the instance row and locks it until the surrounding transaction ends.</summary>
    public static async Task<TSaga?> LoadForUpdate<TSaga>(DbContext dbContext, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        // A tracked copy from an earlier attempt in this scope would be returned as-is by identity
        // resolution, hiding what other transactions committed since: drop it before reading.
        var stale = dbContext.ChangeTracker.Entries<TSaga>().FirstOrDefault(x => x.Entity.CorrelationId == correlationId);
        if (stale is not null)
            stale.State = EntityState.Detached;

        return (await LoadAllForUpdate<TSaga>(dbContext, [correlationId], cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Reads the instance rows and locks them, in key order (so two callers locking overlapping sets never deadlock),
    /// until the surrounding transaction ends. The caller starts from a clean change tracker.
    /// </summary>
    public static async Task<List<TSaga>> LoadAllForUpdate<TSaga>(DbContext dbContext, Guid[] correlationIds, CancellationToken cancellationToken)
        where TSaga : class, ISaga
    {
        var names = StoreNames.For<TSaga>(dbContext);
#pragma warning disable EF1002 // identifiers come from the EF model, the value is a parameter
        return await dbContext.Set<TSaga>()
            .FromSqlRaw($"SELECT * FROM {names.QualifiedTable} WHERE {names.KeyColumn} = ANY({{0}}) ORDER BY {names.KeyColumn} FOR UPDATE", correlationIds)
            .AsTracking()
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002
    }
}
