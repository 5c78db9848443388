using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary><c>GET /v1/runs/{id}/events</c>: the run's timeline, oldest first (the cursor moves forward, unlike the original's).</summary>
public static class RunEventsApi
{
    public static IEndpointRouteBuilder MapRunEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/runs/{runId}/events", ListAsync).RequireScope(Scopes.RunsRead);
        return app;
    }

    public sealed record RunEventResponse(Guid Id, Guid RunId, string Type, string Level, string? Message, JsonElement? Data, DateTimeOffset CreatedAt)
    {
        public static RunEventResponse From(RunEvent e) =>
            new(e.Id, e.RunId, e.Type, e.Level, e.Message, e.Data?.RootElement, e.CreatedAt);
    }

    private static async Task<IResult> ListAsync(string runId, HttpRequest request, Caller caller, IngestDbContext db, CancellationToken ct)
    {
        if (!Guid.TryParse(runId, out var id))
        {
            return ApiResults.NotFound("run not found");
        }

        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var query = db.RunEvents.AsNoTracking().Where(e => e.RunId == id && e.ProjectId == caller.ProjectId);
        var level = request.Query["level"].ToString();
        if (level.Length > 0)
        {
            query = query.Where(e => e.Level == level);
        }

        var type = request.Query["type"].ToString();
        if (type.Length > 0)
        {
            query = query.Where(e => e.Type == type);
        }

        if (page.AfterTimestamp is { } after)
        {
            var afterId = page.AfterId ?? Guid.Empty;
            query = query.Where(e => e.CreatedAt > after || (e.CreatedAt == after && e.Id.CompareTo(afterId) > 0));
        }

        var rows = await query.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).Take(page.Limit + 1).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, e => (e.CreatedAt, e.Id), RunEventResponse.From));
    }
}
