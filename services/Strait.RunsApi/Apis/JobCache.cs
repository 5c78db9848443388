using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Strait.RunsApi.Data;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Jobs as the trigger path reads them, cached for a moment per replica, so a trigger costs no job query (and no
/// database round trip before its insert). A change saved through this replica evicts the job at once (see
/// <see cref="Invalidation"/>); one saved on another replica applies within <see cref="CacheFor"/>, as with
/// <see cref="ProjectQuotas"/>. The cached instances are shared: callers only read them.
/// </summary>
public sealed class JobCache(TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <summary>Past this many entries the cache starts over, so a project with very many jobs cannot grow it without bound.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<Guid, (Job Job, DateTimeOffset Until)> cache = new();

    public int Count => cache.Count;

    /// <summary>
    /// The project's job with this id, or null (also for no project); read from the database when not cached or cached
    /// too long ago.
    /// </summary>
    public async Task<Job?> FindAsync(RunsDbContext db, Guid id, string? projectId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!cache.TryGetValue(id, out var entry) || entry.Until <= now)
        {
            var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
            if (job is null)
            {
                // Not cached: a job created on another replica is found by the next trigger.
                cache.TryRemove(id, out _);
                return null;
            }

            if (cache.Count >= MaxEntries)
            {
                cache.Clear();
            }

            entry = (job, now + CacheFor);
            cache[id] = entry;
        }

        return entry.Job.ProjectId == projectId ? entry.Job : null;
    }

    public void Forget(Guid id) => cache.TryRemove(id, out _);

    public void Forget(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            Forget(id);
        }
    }

    /// <summary>
    /// Evicts every job a save may add, change or delete (every job the context tracks): before the save, and again once
    /// it has been written, so a trigger that read the old row while the save ran cannot leave it cached. Writes that
    /// bypass the change tracker
    /// (<c>ExecuteUpdate</c>) call <see cref="Forget(IEnumerable{Guid})"/> themselves.
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
