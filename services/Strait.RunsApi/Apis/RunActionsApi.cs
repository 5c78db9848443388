using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Reads of runs and the operator actions on them. Actions are requests to the run saga, which alone changes a run;
/// its answer becomes the HTTP status.
/// </summary>
public static class RunActionsApi
{
    private const int MaxCancelDepth = 20;
    private static readonly string[] Replayable = [RunStatuses.Failed, RunStatuses.TimedOut, RunStatuses.Crashed, RunStatuses.SystemFailed];

    public static IEndpointRouteBuilder MapRunActionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/runs");
        group.MapGet("/", (HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct) =>
            ListAsync(request, caller, db, null, ct)).RequireScope(Scopes.RunsRead);
        group.MapGet("/dlq", (HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct) =>
            ListAsync(request, caller, db, RunStatuses.DeadLetter, ct)).RequireScope(Scopes.RunsRead);
        group.MapGet("/{runId}", GetAsync).RequireScope(Scopes.RunsRead);
        group.MapDelete("/{runId}", CancelAsync).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/dlq-replay", (string runId, Caller caller, RunsDbContext db, IRequestClient<ReplayDeadLetterRun> client, CancellationToken ct) =>
            CommandAsync(runId, caller, db, client, id => new ReplayDeadLetterRun { RunId = id }, ct)).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/pause", (string runId, Caller caller, RunsDbContext db, IRequestClient<PauseRun> client, CancellationToken ct) =>
            CommandAsync(runId, caller, db, client, id => new PauseRun { RunId = id }, ct)).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/resume", (string runId, Caller caller, RunsDbContext db, IRequestClient<ResumeRun> client, CancellationToken ct) =>
            CommandAsync(runId, caller, db, client, id => new ResumeRun { RunId = id }, ct)).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/restart", (string runId, Caller caller, RunsDbContext db, IRequestClient<RestartRun> client, CancellationToken ct) =>
            CommandAsync(runId, caller, db, client, id => new RestartRun { RunId = id }, ct)).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/replay", ReplayAsync).RequireScope(Scopes.RunsWrite);
        group.MapPost("/{runId}/reschedule", RescheduleAsync).RequireScope(Scopes.RunsWrite);
        group.MapDelete("/{runId}/idempotency-key", ResetIdempotencyKeyAsync).RequireScope(Scopes.RunsWrite);
        return app;
    }

    private static async Task<IResult> GetAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var run = await FindAsync(runId, caller, db, ct);
        return run is null ? RunNotFound() : TypedResults.Ok(RunResponse.From(run));
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Caller caller, RunsDbContext db, string? forcedStatus, CancellationToken ct)
    {
        if (!CallerProject.TryResolve(caller, request.Query["project_id"], out var projectId, out var error)
            || !PageRequest.TryParse(request, out var page, out error))
        {
            return error!;
        }

        if (!RunListFilter.TryParse(request.Query, forcedStatus, out var filter, out var filterError))
        {
            return ApiResults.BadRequest(filterError!);
        }

        var query = filter.Apply(db, projectId);
        var rows = await query.NewestFirst(page, r => r.CreatedAt, r => r.CorrelationId).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, r => (r.CreatedAt, r.CorrelationId), RunResponse.From));
    }

    private static async Task<IResult> CancelAsync(string runId, Caller caller, RunsDbContext db, IRequestClient<CancelRun> client,
        IPublishEndpoint publish, CancellationToken ct)
    {
        var run = await FindAsync(runId, caller, db, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        if (RunStatuses.Terminal.Contains(RunStateMachine.Status(run)))
        {
            return ApiResults.BadRequest($"run is already finished (status {RunStateMachine.Status(run)})");
        }

        var result = await CancelOneAsync(run.CorrelationId, db, client, publish, ct);
        return result.Status == StatusCodes.Status200OK ? await ReloadAsync(db, run.CorrelationId, ct) : ToError(result);
    }

    /// <summary>Cancels one run (of the caller's project, checked by the caller) and then its descendants.</summary>
    internal static async Task<RunCommandResult> CancelOneAsync(Guid runId, RunsDbContext db, IRequestClient<CancelRun> client,
        IPublishEndpoint publish, CancellationToken ct)
    {
        var result = await RequestAsync(client, new CancelRun { RunId = runId, Reason = "canceled by user" }, ct);
        if (result.Status != StatusCodes.Status200OK)
        {
            return result;
        }

        // Descendants go too; each is cancelled by its own saga, through the outbox so none is lost.
        foreach (var child in await DescendantsAsync(db, runId, ct))
        {
            await publish.Publish(new CancelRun { RunId = child, Reason = "parent run canceled" }, ct);
        }

        await db.SaveChangesAsync(ct);
        return result;
    }

    private static async Task<IResult> CommandAsync<TCommand>(string runId, Caller caller, RunsDbContext db, IRequestClient<TCommand> client,
        Func<Guid, TCommand> command, CancellationToken ct) where TCommand : class
    {
        var run = await FindAsync(runId, caller, db, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        var result = await RequestAsync(client, command(run.CorrelationId), ct);
        return result.Status == StatusCodes.Status200OK ? await ReloadAsync(db, run.CorrelationId, ct) : ToError(result);
    }

    private static async Task<IResult> ReplayAsync(string runId, Caller caller, RunsDbContext db, RunScheduler scheduler, TimeProvider time,
        CancellationToken ct)
    {
        var original = await FindAsync(runId, caller, db, ct);
        if (original is null)
        {
            return RunNotFound();
        }

        var (run, error) = await ReplayOneAsync(original, caller, db, scheduler, time, ct);
        return run is null ? ApiResults.BadRequest(error!) : TypedResults.Created($"/v1/runs/{run.CorrelationId}", RunResponse.From(run));
    }

    public sealed record RescheduleRequest(DateTimeOffset? ScheduledAt, System.Text.Json.JsonElement? Payload);

    private static async Task<IResult> RescheduleAsync(string runId, RescheduleRequest? body, Caller caller, RunsDbContext db,
        IRequestClient<RescheduleRun> client, TimeProvider time, CancellationToken ct)
    {
        if (body?.ScheduledAt is not { } scheduledAt)
        {
            return ApiResults.Validation(["scheduled_at: failed on 'required'"]);
        }

        if (scheduledAt > time.GetUtcNow() + RunFactory.MaxScheduleAhead)
        {
            return ApiResults.BadRequest("scheduled_at: must not be more than 30 days ahead");
        }

        string? payload = null;
        if (body.Payload is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } given)
        {
            payload = CanonicalJson.Canonicalize(given);
            if (payload.Length > TriggerApi.MaxPayloadBytes)
            {
                return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"payload exceeds {TriggerApi.MaxPayloadBytes} bytes");
            }
        }

        var run = await FindAsync(runId, caller, db, ct);
        if (run is null)
        {
            return RunNotFound();
        }

        // The saga alone decides eligibility (delayed, or queued and never dispatched); anything else is "not found" here.
        var result = await RequestAsync(client, new RescheduleRun
        {
            RunId = run.CorrelationId,
            ScheduledAt = scheduledAt,
            Payload = payload,
            PayloadHash = payload is null ? null : CanonicalJson.Hash(payload),
        }, ct);
        return result.Status == StatusCodes.Status200OK
            ? await ReloadAsync(db, run.CorrelationId, ct)
            : ApiResults.NotFound("run not found or not reschedulable: only delayed runs and queued runs that have not started can be");
    }

    // Not a lifecycle change: the key is only read by triggers, so one guarded UPDATE (which waits for the saga's row lock)
    // is enough. A run that is running keeps its key, as in the original.
    private static async Task<IResult> ResetIdempotencyKeyAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        if (!Guid.TryParse(runId, out var id))
        {
            return RunNotFound();
        }

        string[] running = [nameof(RunStateMachine.Executing), nameof(RunStateMachine.Waiting), nameof(RunStateMachine.Dequeued)];
        var updated = await db.Runs
            .Where(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId && !running.Contains(r.CurrentState))
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.IdempotencyKey, (string?)null), ct);
        if (updated == 0)
        {
            var run = await FindAsync(runId, caller, db, ct);
            return run is null
                ? RunNotFound()
                : ApiResults.Conflict($"the idempotency key of a run in status {RunStateMachine.Status(run)} cannot be reset");
        }

        return TypedResults.Ok(new IdempotencyKeyReset("reset", id));
    }

    public sealed record IdempotencyKeyReset(string Status, Guid RunId);

    internal static bool IsReplayable(RunState run) => Replayable.Contains(RunStateMachine.Status(run));

    /// <summary>Replays one run of the caller's project as a new run, or says why it cannot be.</summary>
    internal static async Task<(RunState? Run, string? Error)> ReplayOneAsync(RunState original, Caller caller, RunsDbContext db,
        RunScheduler scheduler, TimeProvider time, CancellationToken ct)
    {
        if (!IsReplayable(original))
        {
            return (null, $"only failed, timed_out, crashed or system_failed runs can be replayed (status {RunStateMachine.Status(original)})");
        }

        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == original.JobId && j.ProjectId == original.ProjectId, ct);
        if (job is not { Enabled: true })
        {
            return (null, "job is disabled or no longer exists");
        }

        var now = time.GetUtcNow();
        var request = new TriggerRequest(null, original.Tags, null, original.Priority, null, null, original.ConcurrencyKey, null);
        var run = RunFactory.Create(job, request, original.Payload, original.PayloadHash, now, "manual", caller.Actor,
            new Dictionary<string, string>(original.Metadata));
        await scheduler.StartAsync(run, job, ct);
        db.Runs.Add(run);
        await db.SaveChangesAsync(ct);
        return (run, null);
    }

    internal static async Task<RunCommandResult> RequestAsync<TCommand>(IRequestClient<TCommand> client, TCommand command, CancellationToken ct)
        where TCommand : class =>
        (await client.GetResponse<RunCommandResult>(command, ct, RequestTimeout.After(s: 15))).Message;

    private static IResult ToError(RunCommandResult result) => result.Status switch
    {
        StatusCodes.Status404NotFound => RunNotFound(),
        StatusCodes.Status410Gone => ApiResults.BadRequest(result.Error ?? "run already finished"),
        StatusCodes.Status409Conflict => ApiResults.BadRequest(result.Error ?? "run is not in a state that allows this"),
        _ => ApiResults.Error(result.Status, result.Error ?? "run command failed"),
    };

    internal static async Task<List<Guid>> DescendantsAsync(RunsDbContext db, Guid root, CancellationToken ct)
    {
        var all = new List<Guid>();
        var level = new List<Guid> { root };
        for (var depth = 0; depth < MaxCancelDepth && level.Count > 0; depth++)
        {
            var parents = level;
            level = await db.Runs.AsNoTracking()
                .Where(r => r.ParentRunId != null && parents.Contains(r.ParentRunId.Value))
                .Select(r => r.CorrelationId).ToListAsync(ct);
            all.AddRange(level);
        }

        return all;
    }

    internal static async Task<IResult> ReloadAsync(RunsDbContext db, Guid runId, CancellationToken ct) =>
        TypedResults.Ok(RunResponse.From(await db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId, ct)));

    private static Task<RunState?> FindAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct) =>
        Guid.TryParse(runId, out var id)
            ? db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId, ct)
            : Task.FromResult<RunState?>(null);

    private static IResult RunNotFound() => ApiResults.NotFound("run not found");
}
