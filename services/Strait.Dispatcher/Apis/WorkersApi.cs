using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Strait.Dispatcher.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Apis;

public static class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/workers");
        group.MapGet("/", ListAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/{workerId}", GetAsync).RequireScope(Scopes.JobsRead);
        return app;
    }

    public sealed record WorkerResponse(Guid Id, string ProjectId, string Name, string Queue, string Status, int Capacity,
        DateTimeOffset LastHeartbeatAt, DateTimeOffset ConnectedAt)
    {
        public static WorkerResponse From(Worker w) => new(w.Id, w.ProjectId, w.Name, w.Queue, w.Status, w.Capacity, w.LastHeartbeatAt, w.ConnectedAt);
    }

    public sealed record OffsetPage<T>(IReadOnlyList<T> Data, int Offset, bool HasMore);

    // Workers page by limit/offset, as in the original (routes.md §5.1).
    private static async Task<IResult> ListAsync(HttpRequest request, Caller caller, DispatcherDbContext db, CancellationToken ct)
    {
        if (caller.ProjectId is null)
        {
            return ApiResults.BadRequest("project_id is required");
        }

        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var offsetText = request.Query["offset"].ToString();
        var offset = 0;
        if (offsetText.Length > 0 && (!int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            return ApiResults.BadRequest("offset must be a non-negative integer");
        }

        var rows = await db.Workers.AsNoTracking().Where(w => w.ProjectId == caller.ProjectId)
            .OrderByDescending(w => w.ConnectedAt).ThenBy(w => w.Id)
            .Skip(offset).Take(page.Limit + 1).ToListAsync(ct);
        var hasMore = rows.Count > page.Limit;
        return TypedResults.Ok(new OffsetPage<WorkerResponse>(rows.Take(page.Limit).Select(WorkerResponse.From).ToList(), offset, hasMore));
    }

    private static async Task<IResult> GetAsync(string workerId, Caller caller, DispatcherDbContext db, CancellationToken ct)
    {
        var worker = Guid.TryParse(workerId, out var id)
            ? await db.Workers.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id && w.ProjectId == caller.ProjectId, ct)
            : null;
        return worker is null ? ApiResults.NotFound("worker not found") : TypedResults.Ok(WorkerResponse.From(worker));
    }
}
