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

        var query = db.Runs.AsNoTracking().Where(r => r.ProjectId == projectId);
        var statuses = forcedStatus is not null
            ? [forcedStatus]
            : request.Query["status"].Concat(request.Query["statuses"]).Concat(request.Query["statuses[]"]).OfType<string>().ToList();
        if (statuses.Any(s => !RunStatuses.All.Contains(s)))
        {
            return ApiResults.BadRequest("status is invalid");
        }

        if (statuses.Count > 0)
        {
            var states = statuses.Select(RunStatuses.ToStateName).ToList();
            query = query.Where(r => states.Contains(r.CurrentState));
        }

        if (Guid.TryParse(request.Query["job_id"], out var jobId))
        {
            query = query.Where(r => r.JobId == jobId);
        }

        if (Guid.TryParse(request.Query["batch_id"], out var batchId))
        {
            query = query.Where(r => r.BatchId == batchId);
        }

        var triggeredBy = request.Query["triggered_by"].ToString();
        if (triggeredBy.Length > 0)
        {
            query = query.Where(r => r.TriggeredBy == triggeredBy);
        }

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

        var result = await RequestAsync(client, new CancelRun { RunId = run.CorrelationId, Reason = "canceled by user" }, ct);
        if (result.Status != StatusCodes.Status200OK)
        {
            return ToError(result);
        }

        // Descendants go too; each is cancelled by its own saga, through the outbox so none is lost.
        foreach (var child in await DescendantsAsync(db, run.CorrelationId, ct))
        {
            await publish.Publish(new CancelRun { RunId = child, Reason = "parent run canceled" }, ct);
        }

        await db.SaveChangesAsync(ct);
        return await ReloadAsync(db, run.CorrelationId, ct);
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

        var status = RunStateMachine.Status(original);
        if (!Replayable.Contains(status))
        {
            return ApiResults.BadRequest($"only failed, timed_out, crashed or system_failed runs can be replayed (status {status})");
        }

        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == original.JobId && j.ProjectId == original.ProjectId, ct);
        if (job is not { Enabled: true })
        {
            return ApiResults.BadRequest("job is disabled or no longer exists");
        }

        var now = time.GetUtcNow();
        var request = new TriggerRequest(null, original.Tags, null, original.Priority, null, null, original.ConcurrencyKey, null);
        var run = RunFactory.Create(job, request, original.Payload, original.PayloadHash, now, "manual", caller.Actor,
            new Dictionary<string, string>(original.Metadata));
        await scheduler.StartAsync(run, ct);
        db.Runs.Add(run);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/runs/{run.CorrelationId}", RunResponse.From(run));
    }

    private static async Task<RunCommandResult> RequestAsync<TCommand>(IRequestClient<TCommand> client, TCommand command, CancellationToken ct)
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

    private static async Task<IResult> ReloadAsync(RunsDbContext db, Guid runId, CancellationToken ct) =>
        TypedResults.Ok(RunResponse.From(await db.Runs.AsNoTracking().SingleAsync(r => r.CorrelationId == runId, ct)));

    private static Task<RunState?> FindAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct) =>
        Guid.TryParse(runId, out var id)
            ? db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId, ct)
            : Task.FromResult<RunState?>(null);

    private static IResult RunNotFound() => ApiResults.NotFound("run not found");
}
