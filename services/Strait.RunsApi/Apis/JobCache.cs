using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Strait.RunsApi.Data;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Jobs as the trigger path reads them, cached for a moment per replica, so a trigger costs no job query (and no
/// database round trip before its insert). A change saved through this replica evicts the job at once (see
/// <see cref="Invalidation"/>); one saved on another replica applies within <see cref="CacheFor"/>, as with
/// <see cref="ProjectQuotas"/> and the API keys (<see cref="DbApiKeyStore"/>, whose memory cache this shares). The
/// cached instances are shared: callers only read them.
/// </summary>
public sealed class JobCache(IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The project's job with this id, or null (also for no project); read from the database when not cached or cached
    /// too long ago.
    /// </summary>
    public async Task<Job?> FindAsync(RunsDbContext db, Guid id, string? projectId, CancellationToken ct)
    {
        if (!cache.TryGetValue(CacheKey(id), out Job? job))
        {
            // Not found is not remembered: a job created on another replica is found by the next trigger.
            job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
            if (job is not null)
            {
                cache.Set(CacheKey(id), job, CacheFor);
            }
        }

        return job?.ProjectId == projectId ? job : null;
    }

    public void Forget(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            cache.Remove(CacheKey(id));
        }
    }

    private static string CacheKey(Guid id) => "job:" + id.ToString("N");

    /// <summary>
    /// Evicts every job a save may add, change or delete (every job the context tracks): before the save, and again once
    /// it has been written, so a trigger that read the old row while the save ran cannot leave it cached. Writes that
    /// bypass the change tracker (<c>ExecuteUpdate</c>) call <see cref="Forget"/> themselves.
    /// </summary>
    public sealed class Invalidation(JobCache jobs) : SaveChangesInterceptor
    {
        private readonly ConditionalWeakTable<DbContext, Guid[]> saving = [];

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Collect(eventData.Context);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Collect(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Release(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Release(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData) => Release(eventData.Context);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Release(eventData.Context);
            return Task.CompletedTask;
        }

        private void Collect(DbContext? context)
        {
            if (context is null)
            {
                return;
            }

            // Every tracked job, changed or not: telling which changed would run change detection a second time on
            // every save (the saga's included), and evicting a job that was only read costs one query later.
            var detect = context.ChangeTracker.AutoDetectChangesEnabled;
            context.ChangeTracker.AutoDetectChangesEnabled = false;
            Guid[] ids;
            try
            {
                ids = context.ChangeTracker.Entries<Job>().Select(e => e.Entity.Id).ToArray();
            }
            finally
            {
                context.ChangeTracker.AutoDetectChangesEnabled = detect;
            }

            if (ids.Length > 0)
            {
                jobs.Forget(ids);
                saving.AddOrUpdate(context, ids);
            }
        }

        private void Release(DbContext? context)
        {
            if (context is not null && saving.TryGetValue(context, out var ids))
            {
                saving.Remove(context);
                jobs.Forget(ids);
            }
        }
    }
}
