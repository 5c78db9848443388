using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Events;
using Strait.Contracts.Runs;
using Strait.Events.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Apis;

/// <summary>
/// Event triggers (routes.md §3.4): read, resolve (<c>/send</c>, <c>/prefix/{prefix}/send</c>) or cancel them. A trigger's
/// change and the messages that carry it on (resume via sdk-ingest, cancel via the run saga) commit together (outbox).
/// </summary>
public static class EventTriggersApi
{
    public const int MaxKeyBytes = 512;
    public const string NotWaitingMessage = "event trigger is not in waiting state";

    private const string WorkflowsTrigger = "workflows:trigger";
    private const string WorkflowsWrite = "workflows:write";

    public static IEndpointRouteBuilder MapEventTriggersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events");
        group.MapGet("/", ListAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/stats", StatsAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/{eventKey}", GetAsync).RequireScope(Scopes.JobsRead);
        group.MapPost("/{eventKey}/send", SendAsync).RequireAuthorization();
        group.MapPost("/prefix/{prefix}/send", SendByPrefixAsync).RequireAuthorization();
        group.MapDelete("/{eventKey}", CancelAsync).RequireAuthorization();
        return app;
    }

    public sealed record SendRequest(JsonElement? Payload);

    public sealed record PrefixSendResponse(int Resolved, IReadOnlyList<EventTriggerResponse> Triggers);

    public sealed record StatsResponse(int TotalCount, int WaitingCount, int ReceivedCount, int TimedOutCount, int CanceledCount, double AvgWaitDurationSecs);

    public static bool IsValidKey(string key) =>
        key.Length > 0 && Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes && !key.Any(c => c < 0x20 || c == 0x7f);

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
            if (!EventTriggerStatuses.All.Contains(status))
            {
                return ApiResults.BadRequest("status is invalid");
            }

            query = query.Where(t => t.Status == status);
        }

        var sourceType = request.Query["source_type"].ToString();
        if (sourceType.Length > 0)
        {
            query = query.Where(t => t.SourceType == sourceType);
        }

        // Only workflow-step triggers name a workflow run, and this service creates none yet: the filter matches nothing.
        if (request.Query["workflow_run_id"].ToString().Length > 0)
        {
            query = query.Where(_ => false);
        }

        var rows = await query.NewestFirst(page, t => t.RequestedAt, t => t.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, t => (t.RequestedAt, t.Id), EventTriggerResponse.From));
    }

    private static async Task<IResult> StatsAsync(Caller caller, EventsDbContext db, CancellationToken ct)
    {
        if (caller.ProjectId is null)
        {
            return ApiResults.BadRequest("project context required");
        }

        var triggers = db.EventTriggers.AsNoTracking().Where(t => t.ProjectId == caller.ProjectId);
        var counts = await triggers.GroupBy(t => t.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        var waits = await triggers.Where(t => t.ReceivedAt != null)
            .Select(t => (double?)(t.ReceivedAt!.Value - t.RequestedAt).TotalSeconds).AverageAsync(ct);
        int Count(string s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
        return TypedResults.Ok(new StatsResponse(counts.Sum(c => c.Count), Count(EventTriggerStatuses.Waiting), Count(EventTriggerStatuses.Received),
            Count(EventTriggerStatuses.TimedOut), Count(EventTriggerStatuses.Canceled), Math.Round(waits ?? 0, 3)));
    }

    private static async Task<IResult> GetAsync(string eventKey, Caller caller, EventsDbContext db, CancellationToken ct)
    {
        if (!IsValidKey(eventKey))
        {
            return ApiResults.BadRequest("invalid event key");
        }

        // A key is unique among waiting triggers only: the waiting one, else the latest.
        var trigger = await db.EventTriggers.AsNoTracking()
            .Where(t => t.ProjectId == caller.ProjectId && t.EventKey == eventKey)
            .OrderByDescending(t => t.Status == EventTriggerStatuses.Waiting).ThenByDescending(t => t.RequestedAt).FirstOrDefaultAsync(ct);
        return trigger is null ? NotFound() : TypedResults.Ok(EventTriggerResponse.From(trigger));
    }

    private static async Task<IResult> SendAsync(string eventKey, SendRequest? body, Caller caller, EventsDbContext db, IPublishEndpoint publish,
        TimeProvider time, CancellationToken ct)
    {
        if (!IsValidKey(eventKey))
        {
            return ApiResults.BadRequest("invalid event key");
        }

        if (!caller.Has(Scopes.JobsTrigger) && !caller.Has(WorkflowsTrigger))
        {
            return ApiResults.Forbidden($"insufficient permissions: requires {Scopes.JobsTrigger} or {WorkflowsTrigger}");
        }

        var payload = Payload(body);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var trigger = await LockAsync(db, caller.ProjectId, eventKey, ct);
        if (trigger is null)
        {
            return NotFound();
        }

        if (!MaySend(caller, trigger))
        {
            return ApiResults.Forbidden($"insufficient permissions: requires {RequiredSendScope(trigger)}");
        }

        if (trigger.TriggerType == EventTriggerTypes.SpawnAwait)
        {
            // The parent resumes when its child ends, with the child's outcome: an event cannot stand in for it.
            return ApiResults.Conflict("event trigger awaits a spawned run and is resolved by its end");
        }

        if (trigger.Status == EventTriggerStatuses.Waiting)
        {
            await ReceiveAsync(trigger, payload, caller, publish, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Ok(EventTriggerResponse.From(trigger));
        }

        // Sending the same payload again is a retry of a send that worked: it answers as that one did.
        return trigger.Status == EventTriggerStatuses.Received && SameJson(trigger.ResponsePayload, payload)
            ? TypedResults.Ok(EventTriggerResponse.From(trigger))
            : ApiResults.Conflict(NotWaitingMessage);
    }

    private static async Task<IResult> SendByPrefixAsync(string prefix, SendRequest? body, Caller caller, EventsDbContext db, IPublishEndpoint publish,
        TimeProvider time, CancellationToken ct)
    {
        if (!IsValidKey(prefix))
        {
            return ApiResults.BadRequest("invalid event key prefix");
        }

        if (!caller.Has(Scopes.JobsTrigger) && !caller.Has(WorkflowsTrigger))
        {
            return ApiResults.Forbidden($"insufficient permissions: requires {Scopes.JobsTrigger} or {WorkflowsTrigger}");
        }

        var payload = Payload(body);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Triggers another send holds right now are skipped, not waited for: that send resolves them.
        var waiting = await db.EventTriggers.FromSql($"""
            SELECT * FROM events.event_triggers
            WHERE project_id = {caller.ProjectId} AND status = 'waiting' AND starts_with(event_key, {prefix})
                AND trigger_type <> {EventTriggerTypes.SpawnAwait}
            ORDER BY requested_at, id
            FOR UPDATE SKIP LOCKED
            """).AsAsyncEnumerable().ToListAsync(ct);
        var resolved = new List<EventTriggerResponse>();
        foreach (var trigger in waiting.Where(t => MaySend(caller, t)))
        {
            await ReceiveAsync(trigger, payload, caller, publish, now, ct);
            resolved.Add(EventTriggerResponse.From(trigger));
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new PrefixSendResponse(resolved.Count, resolved));
    }

    private static async Task<IResult> CancelAsync(string eventKey, Caller caller, EventsDbContext db, IPublishEndpoint publish, CancellationToken ct)
    {
        if (!IsValidKey(eventKey))
        {
            return ApiResults.BadRequest("invalid event key");
        }

        if (!caller.Has(Scopes.JobsWrite) && !caller.Has(WorkflowsWrite))
        {
            return ApiResults.Forbidden($"insufficient permissions: requires {Scopes.JobsWrite} or {WorkflowsWrite}");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var trigger = await LockAsync(db, caller.ProjectId, eventKey, ct);
        if (trigger is null)
        {
            return NotFound();
        }

        var required = trigger.SourceType == EventTriggerSources.WorkflowStep ? WorkflowsWrite : Scopes.JobsWrite;
        if (!caller.Has(required))
        {
            return ApiResults.Forbidden($"insufficient permissions: requires {required}");
        }

        if (trigger.Status != EventTriggerStatuses.Waiting)
        {
            return ApiResults.Conflict(NotWaitingMessage);
        }

        trigger.Status = EventTriggerStatuses.Canceled;
        trigger.Error = "canceled by user";
        if (trigger.RunId is { } runId)
        {
            await publish.Publish(new CancelRun { RunId = runId, Reason = "canceled by user" }, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(EventTriggerResponse.From(trigger));
    }

    /// <summary>The project's trigger for <paramref name="eventKey"/> (the waiting one, else the latest), locked until commit.</summary>
    private static async Task<EventTrigger?> LockAsync(EventsDbContext db, string? projectId, string eventKey, CancellationToken ct)
    {
        var rows = await db.EventTriggers.FromSql($"""
            SELECT * FROM events.event_triggers
            WHERE project_id = {projectId} AND event_key = {eventKey}
            ORDER BY status = 'waiting' DESC, requested_at DESC
            LIMIT 1
            FOR UPDATE
            """).AsAsyncEnumerable().ToListAsync(ct);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task ReceiveAsync(EventTrigger trigger, string? payload, Caller caller, IPublishEndpoint publish, DateTimeOffset now,
        CancellationToken ct)
    {
        trigger.Status = EventTriggerStatuses.Received;
        trigger.ResponsePayload = payload is null ? null : JsonDocument.Parse(payload);
        trigger.ReceivedAt = now;
        trigger.SentBy = caller.ApiKeyId is null ? "internal" : $"api-key:{caller.ProjectId}";
        if (trigger.RunId is { } runId)
        {
            await publish.Publish(new EventReceived
            {
                RunId = runId,
                TriggerId = trigger.Id,
                ProjectId = trigger.ProjectId,
                EventKey = trigger.EventKey,
                Payload = payload,
                ReceivedAt = now,
            }, ct);
        }
    }

    private static string RequiredSendScope(EventTrigger trigger) =>
        trigger.SourceType == EventTriggerSources.WorkflowStep ? WorkflowsTrigger : Scopes.JobsTrigger;

    private static bool MaySend(Caller caller, EventTrigger trigger) => caller.Has(RequiredSendScope(trigger));

    private static string? Payload(SendRequest? body) =>
        body?.Payload is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } payload ? payload.GetRawText() : null;

    private static bool SameJson(JsonDocument? stored, string? sent)
    {
        if (stored is null || sent is null)
        {
            return stored is null && sent is null;
        }

        using var other = JsonDocument.Parse(sent);
        return JsonElement.DeepEquals(stored.RootElement, other.RootElement);
    }

    private static IResult NotFound() => ApiResults.NotFound("event trigger not found");
}
