using Microsoft.EntityFrameworkCore;
using Strait.Dispatcher.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Apis;

public static class QueuesApi
{
    public static IEndpointRouteBuilder MapQueuesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/queues").MapGet("/", ListAsync).RequireScope(Scopes.JobsRead);
        return app;
    }

    /// <summary>One job's queue: attempts waiting, attempts holding a slot, and how many wait for each reason.</summary>
    public sealed record JobQueueResponse(Guid JobId, int Pending, int Active, IReadOnlyDictionary<string, int> WaitingReasons);

    public sealed record QueuesResponse(IReadOnlyList<JobQueueResponse> Data);

    private static async Task<IResult> ListAsync(Caller caller, DispatcherDbContext db, CancellationToken ct)
    {
        if (caller.ProjectId is null)
        {
            return ApiResults.BadRequest("project_id is required");
        }

        var rows = await db.DispatchQueue.AsNoTracking()
            .Where(e => e.ProjectId == caller.ProjectId)
            .GroupBy(e => new { e.JobId, e.Status, e.WaitReason })
            .Select(g => new { g.Key.JobId, g.Key.Status, g.Key.WaitReason, Count = g.Count() })
            .ToListAsync(ct);

        var jobs = rows.GroupBy(r => r.JobId).OrderBy(g => g.Key).Select(g => new JobQueueResponse(
            g.Key,
            g.Where(r => r.Status == DispatchQueueStatus.Pending).Sum(r => r.Count),
            g.Where(r => r.Status != DispatchQueueStatus.Pending).Sum(r => r.Count),
            g.Where(r => r.Status == DispatchQueueStatus.Pending && r.WaitReason is not null)
                .ToDictionary(r => r.WaitReason!, r => r.Count, StringComparer.Ordinal))).ToList();
        return TypedResults.Ok(new QueuesResponse(jobs));
    }
}
