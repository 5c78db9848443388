using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.Events.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Apis;

public static class EventTriggersApi
{
    private static readonly string[] Statuses = ["waiting", "received", "timed_out", "canceled"];

    public static IEndpointRouteBuilder MapEventTriggersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events");
        group.MapGet("/", ListAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/{eventKey}", GetAsync).RequireScope(Scopes.JobsRead);
        return app;
    }

    public sealed record EventTriggerResponse(Guid Id, string ProjectId, string EventKey, string SourceType, Guid? RunId, string Status,
        JsonDocument? ResponsePayload, string? SentBy, string? Error, DateTimeOffset TimeoutAt, DateTimeOffset RequestedAt, DateTimeOffset? ReceivedAt)
    {
        public static EventTriggerResponse From(EventTrigger t) => new(t.Id, t.ProjectId, t.EventKey, t.SourceType, t.RunId, t.Status,
            t.ResponsePayload, t.SentBy, t.Error, t.TimeoutAt, t.RequestedAt, t.ReceivedAt);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Caller caller, EventsDbContext db, CancellationToken ct)
    {
        if (caller.ProjectId is null)
        {
            return ApiResults.BadRequest("project context required");
        }

        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var query = db.EventTriggers.AsNoTracking().Where(t => t.ProjectId == caller.ProjectId);
        var status = request.Query["status"].ToString();
        if (status.Length > 0)
        {
            if (!Statuses.Contains(status))
            {
                return ApiResults.BadRequest("status is invalid");
            }

            query = query.Where(t => t.Status == status);
        }

        var rows = await query.NewestFirst(page, t => t.RequestedAt, t => t.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, t => (t.RequestedAt, t.Id), EventTriggerResponse.From));
    }

    private static async Task<IResult> GetAsync(string eventKey, Caller caller, EventsDbContext db, CancellationToken ct)
    {
        if (eventKey.Length is 0 or > 512 || eventKey.Any(char.IsControl))
        {
            return ApiResults.BadRequest("invalid event key");
        }

        var trigger = await db.EventTriggers.AsNoTracking()
            .Where(t => t.ProjectId == caller.ProjectId && t.EventKey == eventKey)
            .OrderByDescending(t => t.RequestedAt).FirstOrDefaultAsync(ct);
        return trigger is null ? ApiResults.NotFound("event trigger not found") : TypedResults.Ok(EventTriggerResponse.From(trigger));
    }
}
