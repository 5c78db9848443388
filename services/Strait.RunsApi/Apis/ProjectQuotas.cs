using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Project run quotas at trigger time (semantics §6.3): <c>max_queued_runs</c> (queued + delayed) and
/// <c>max_executing_runs</c> (dequeued + executing). The quotas are cached for a few seconds per replica, so a project
/// without quotas costs the trigger no query; a quota change made on another replica applies within that time.
/// </summary>
public sealed class ProjectQuotas(TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private static readonly string[] QueuedStates = [nameof(RunStateMachine.Queued), nameof(RunStateMachine.Delayed)];
    private static readonly string[] ExecutingStates = [RunStatuses.ToStateName("dequeued"), nameof(RunStateMachine.Executing)];
    private readonly ConcurrentDictionary<string, (int? Queued, int? Executing, DateTimeOffset Until)> cache = new(StringComparer.Ordinal);

    public void Forget(string projectId) => cache.TryRemove(projectId, out _);

    /// <summary>Null when <paramref name="adding"/> more queued runs fit, else the 429 (with <c>Retry-After: 5</c>).</summary>
    public async Task<IResult?> CheckAsync(RunsDbContext db, string projectId, int adding, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!cache.TryGetValue(projectId, out var quotas) || quotas.Until <= now)
        {
            var row = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
                .Select(p => new { p.MaxQueuedRuns, p.MaxExecutingRuns }).FirstOrDefaultAsync(ct);
            quotas = (row?.MaxQueuedRuns, row?.MaxExecutingRuns, now + CacheFor);
            cache[projectId] = quotas;
        }

        if (quotas.Queued is null && quotas.Executing is null)
        {
            return null;
        }

        // Concurrent triggers of one project take turns here, so together they cannot overshoot the quota.
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"quota/" + projectId}, 0))", ct);
        if (quotas.Queued is { } maxQueued)
        {
            var queued = await db.Runs.CountAsync(r => r.ProjectId == projectId && QueuedStates.Contains(r.CurrentState), ct);
            if (queued + adding > maxQueued)
            {
                return Refuse($"project queued run quota exceeded ({queued} queued or delayed, max_queued_runs {maxQueued})");
            }
        }

        if (quotas.Executing is { } maxExecuting)
        {
            var executing = await db.Runs.CountAsync(r => r.ProjectId == projectId && ExecutingStates.Contains(r.CurrentState), ct);
            if (executing >= maxExecuting)
            {
                return Refuse($"project executing run quota exceeded ({executing} executing, max_executing_runs {maxExecuting})");
            }
        }

        return null;
    }

    private static RetryAfterResult Refuse(string message) => new(ApiResults.Error(StatusCodes.Status429TooManyRequests, message));

    private sealed class RetryAfterResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "5";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
