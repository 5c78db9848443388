using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>
/// <c>GET /v1/runs/{id}/children</c> (runs it spawned) and <c>GET /v1/runs/{id}/lineage</c> (the continuation chain it
/// belongs to), both oldest first. The original paged children oldest first against a newest-first cursor, so only its
/// first page was reliable; here the cursor follows the order.
/// </summary>
public static class RunLineageApi
{
    // Continuations are capped at depth 10; the walks stop a little beyond it so a chain can never loop them.
    private const int MaxWalk = InternalLineageApi.MaxLineageDepth + 2;

    public static IEndpointRouteBuilder MapRunLineageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/runs/{runId}/children", ChildrenAsync).RequireScope(Scopes.RunsRead);
        app.MapGet("/v1/runs/{runId}/lineage", LineageAsync).RequireScope(Scopes.RunsRead);
        return app;
    }

    private static async Task<IResult> ChildrenAsync(string runId, HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var run = await FindAsync(runId, caller, db, ct);
        if (run is null)
        {
            return ApiResults.NotFound("run not found");
        }

        // A child spawned into another project is that project's run: it is not listed here.
        var rows = await db.Runs.AsNoTracking()
            .Where(r => r.ParentRunId == run.Value && r.ProjectId == caller.ProjectId)
            .OldestFirst(page, r => r.CreatedAt, r => r.CorrelationId).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, r => (r.CreatedAt, r.CorrelationId), RunResponse.From));
    }

    private static async Task<IResult> LineageAsync(string runId, HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var run = await FindAsync(runId, caller, db, ct);
        if (run is null)
        {
            return ApiResults.NotFound("run not found");
        }

        var chain = await ChainAsync(db, caller.ProjectId!, run.Value, ct);
        var rows = await db.Runs.AsNoTracking()
            .Where(r => chain.Contains(r.CorrelationId))
            .OldestFirst(page, r => r.CreatedAt, r => r.CorrelationId).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, r => (r.CreatedAt, r.CorrelationId), RunResponse.From));
    }

    /// <summary>Every run of the chain: back to its first run, then every continuation from there (a run may continue more than once).</summary>
    private static async Task<List<Guid>> ChainAsync(RunsDbContext db, string projectId, Guid runId, CancellationToken ct)
    {
        var root = runId;
        for (var step = 0; step < MaxWalk; step++)
        {
            var previous = await db.Runs.AsNoTracking()
                .Where(r => r.CorrelationId == root && r.ProjectId == projectId)
                .Select(r => r.ContinuationOf).FirstOrDefaultAsync(ct);
            if (previous is null)
            {
                break;
            }

            root = previous.Value;
        }

        var chain = new List<Guid> { root };
        var level = new List<Guid> { root };
        for (var step = 0; step < MaxWalk && level.Count > 0; step++)
        {
            var from = level;
            level = await db.Runs.AsNoTracking()
                .Where(r => r.ContinuationOf != null && from.Contains(r.ContinuationOf.Value) && r.ProjectId == projectId)
                .Select(r => r.CorrelationId).ToListAsync(ct);
            chain.AddRange(level);
        }

        return chain;
    }

    private static async Task<Guid?> FindAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct) =>
        Guid.TryParse(runId, out var id) && await db.Runs.AnyAsync(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId, ct)
            ? id
            : null;
}
