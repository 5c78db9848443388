using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Bulk cancel, replay and DLQ replay (routes.md §3.2): each run goes through the same path as its single-run route, one
/// at a time, so every run gets the saga's own answer.
/// </summary>
public static class RunBulkApi
{
    public const int MaxBulkRuns = 100;
    public const int MaxBulkDlqRuns = 500;
    private const int DefaultDlqLimit = 100;

    public static IEndpointRouteBuilder MapRunBulkApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/runs");
        group.MapPost("/bulk-cancel", BulkCancelAsync).RequireScope(Scopes.RunsWrite);
        group.MapPost("/bulk-cancel-all", BulkCancelAllAsync).RequireScope(Scopes.RunsWrite);
        group.MapPost("/bulk-replay", BulkReplayAsync).RequireScope(Scopes.RunsWrite);
        group.MapPost("/bulk-dlq-replay", BulkDlqReplayAsync).RequireScope(Scopes.RunsWrite);
        return app;
    }

    public sealed record RunIdsRequest(List<string>? RunIds);

    public sealed record BulkCancelResult(string Id, string Status, string? Error);

    public sealed record BulkCancelResponse(IReadOnlyList<BulkCancelResult> Results, int Total, int Canceled, int Failed);

    public sealed record BulkCancelAllRequest(string? JobId, string? BatchId, string? TriggeredBy, string? Status);

    public sealed record BulkCancelAllResponse(int Canceled, IReadOnlyList<Guid> RunIds);

    public sealed record BulkReplayResult(string OriginalRunId, Guid? NewRunId, string Status, string? Error);

    public sealed record BulkReplayResponse(IReadOnlyList<BulkReplayResult> Results, int Total, int Replayed);

    public sealed record BulkDlqReplayRequest(List<string>? RunIds, string? ProjectId, int? Limit);

    public sealed record BulkDlqReplayResponse(IReadOnlyList<RunResponse> Replayed, int Count);

    private static async Task<IResult> BulkCancelAsync(RunIdsRequest? body, Caller caller, RunsDbContext db, IRequestClient<CancelRun> client,
        IPublishEndpoint publish, CancellationToken ct)
    {
        if (body?.RunIds is not { Count: > 0 } ids)
        {
            return ApiResults.Validation(["run_ids: failed on 'min'"]);
        }

        if (ids.Count > MaxBulkRuns)
        {
            return ApiResults.BadRequest($"at most {MaxBulkRuns} run_ids per bulk cancel");
        }

        var runs = await LoadAsync(ids, caller, db, ct);
        var results = new List<BulkCancelResult>(ids.Count);
        foreach (var id in ids)
        {
            if (!runs.TryGetValue(id, out var run))
            {
                results.Add(new BulkCancelResult(id, "failed", "run not found"));
                continue;
            }

            var status = RunStateMachine.Status(run);
            if (RunStatuses.Terminal.Contains(status))
            {
                results.Add(new BulkCancelResult(id, status, "run is already finished"));
                continue;
            }

            var result = await RunActionsApi.CancelOneAsync(run.CorrelationId, db, client, publish, ct);
            results.Add(result.Status == StatusCodes.Status200OK
                ? new BulkCancelResult(id, RunStatuses.Canceled, null)
                : RunStatuses.Terminal.Contains(result.RunStatus)
                    ? new BulkCancelResult(id, result.RunStatus, result.Error)
                    : new BulkCancelResult(id, "failed", result.Error ?? "run could not be canceled"));
        }

        var canceled = results.Count(r => r.Status == RunStatuses.Canceled && r.Error is null);
        return TypedResults.Ok(new BulkCancelResponse(results, results.Count, canceled, results.Count(r => r.Status == "failed")));
    }

    private static async Task<IResult> BulkCancelAllAsync(BulkCancelAllRequest? body, Caller caller, RunsDbContext db,
        IRequestClient<CancelRun> client, IPublishEndpoint publish, CancellationToken ct)
    {
        if (body is null || (string.IsNullOrEmpty(body.JobId) && string.IsNullOrEmpty(body.BatchId)
            && string.IsNullOrEmpty(body.TriggeredBy) && string.IsNullOrEmpty(body.Status)))
        {
            return ApiResults.BadRequest("at least one filter is required: job_id, batch_id, triggered_by or status");
        }

        var active = RunStatuses.All.Except(RunStatuses.Terminal).ToList();
        if (!string.IsNullOrEmpty(body.Status) && !active.Contains(body.Status))
        {
            return ApiResults.BadRequest($"status must be one of the unfinished statuses: {string.Join(", ", active)}");
        }

        var query = db.Runs.AsNoTracking().Where(r => r.ProjectId == caller.ProjectId);
        if (!string.IsNullOrEmpty(body.JobId))
        {
            if (!Guid.TryParse(body.JobId, out var jobId))
            {
                return ApiResults.BadRequest("job_id is invalid");
            }

            query = query.Where(r => r.JobId == jobId);
        }

        if (!string.IsNullOrEmpty(body.BatchId))
        {
            if (!Guid.TryParse(body.BatchId, out var batchId))
            {
                return ApiResults.BadRequest("batch_id is invalid");
            }

            query = query.Where(r => r.BatchId == batchId);
        }

        if (!string.IsNullOrEmpty(body.TriggeredBy))
        {
            query = query.Where(r => r.TriggeredBy == body.TriggeredBy);
        }

        var states = (string.IsNullOrEmpty(body.Status) ? active : [body.Status]).Select(RunStatuses.ToStateName).ToList();
        var ids = await query.Where(r => states.Contains(r.CurrentState)).OrderBy(r => r.CreatedAt)
            .Select(r => r.CorrelationId).ToListAsync(ct);
        var canceled = new List<Guid>(ids.Count);
        foreach (var id in ids)
        {
            // A run that ended meanwhile is simply not counted.
            if ((await RunActionsApi.CancelOneAsync(id, db, client, publish, ct)).Status == StatusCodes.Status200OK)
            {
                canceled.Add(id);
            }
        }

        return TypedResults.Ok(new BulkCancelAllResponse(canceled.Count, canceled));
    }

    private static async Task<IResult> BulkReplayAsync(RunIdsRequest? body, Caller caller, RunsDbContext db, RunScheduler scheduler,
        TimeProvider time, CancellationToken ct)
    {
        if (body?.RunIds is not { Count: > 0 and <= MaxBulkRuns } ids)
        {
            return ApiResults.Validation([body?.RunIds is { Count: > MaxBulkRuns } ? "run_ids: failed on 'max'" : "run_ids: failed on 'min'"]);
        }

        var runs = await LoadAsync(ids, caller, db, ct);
        var results = new List<BulkReplayResult>(ids.Count);
        foreach (var id in ids)
        {
            if (!runs.TryGetValue(id, out var original))
            {
                results.Add(new BulkReplayResult(id, null, "failed", "run not found"));
                continue;
            }

            if (!RunActionsApi.IsReplayable(original))
            {
                results.Add(new BulkReplayResult(id, null, "skipped", $"run is {RunStateMachine.Status(original)}, not replayable"));
                continue;
            }

            var (run, error) = await RunActionsApi.ReplayOneAsync(original, caller, db, scheduler, time, ct);
            results.Add(run is null
                ? new BulkReplayResult(id, null, "failed", error)
                : new BulkReplayResult(id, run.CorrelationId, "replayed", null));
        }

        return TypedResults.Ok(new BulkReplayResponse(results, results.Count, results.Count(r => r.Status == "replayed")));
    }

    private static async Task<IResult> BulkDlqReplayAsync(BulkDlqReplayRequest? body, Caller caller, RunsDbContext db,
        IRequestClient<ReplayDeadLetterRun> client, CancellationToken ct)
    {
        var byIds = body?.RunIds is { Count: > 0 };
        var byProject = !string.IsNullOrEmpty(body?.ProjectId);
        if (body is null || byIds == byProject)
        {
            return ApiResults.Validation(["exactly one of run_ids or project_id is required"]);
        }

        if (body.RunIds is { Count: > MaxBulkDlqRuns })
        {
            return ApiResults.Validation([$"run_ids: at most {MaxBulkDlqRuns}"]);
        }

        if (body.Limit is < 0 or > MaxBulkDlqRuns)
        {
            return ApiResults.Validation([$"limit: must be between 1 and {MaxBulkDlqRuns}"]);
        }

        List<Guid> candidates;
        var deadLetter = nameof(RunStateMachine.DeadLetter);
        if (byIds)
        {
            var ids = body.RunIds!.Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
            candidates = await db.Runs.AsNoTracking()
                .Where(r => ids.Contains(r.CorrelationId) && r.ProjectId == caller.ProjectId && r.CurrentState == deadLetter)
                .OrderBy(r => r.CreatedAt).Select(r => r.CorrelationId).ToListAsync(ct);
        }
        else
        {
            if (!CallerProject.TryResolve(caller, body.ProjectId, out var projectId, out var error))
            {
                return error!;
            }

            var limit = body.Limit is > 0 ? body.Limit.Value : DefaultDlqLimit;
            candidates = await db.Runs.AsNoTracking().Where(r => r.ProjectId == projectId && r.CurrentState == deadLetter)
                .OrderBy(r => r.CreatedAt).Take(limit).Select(r => r.CorrelationId).ToListAsync(ct);
        }

        var replayed = new List<Guid>(candidates.Count);
        foreach (var id in candidates)
        {
            if ((await RunActionsApi.RequestAsync(client, new ReplayDeadLetterRun { RunId = id }, ct)).Status == StatusCodes.Status200OK)
            {
                replayed.Add(id);
            }
        }

        if (replayed.Count == 0)
        {
            return ApiResults.Conflict("no run is in dead_letter status");
        }

        var rows = await db.Runs.AsNoTracking().Where(r => replayed.Contains(r.CorrelationId)).OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(new BulkDlqReplayResponse(rows.Select(RunResponse.From).ToList(), rows.Count));
    }

    /// <summary>The caller's runs among <paramref name="ids"/>, by the id string as given; ids of other projects are simply absent.</summary>
    private static async Task<Dictionary<string, RunState>> LoadAsync(List<string> ids, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var parsed = ids.Select(id => (Text: id, Ok: Guid.TryParse(id, out var g), Id: g)).Where(x => x.Ok).ToList();
        var keys = parsed.Select(x => x.Id).Distinct().ToList();
        var rows = await db.Runs.AsNoTracking().Where(r => keys.Contains(r.CorrelationId) && r.ProjectId == caller.ProjectId).ToListAsync(ct);
        var byId = rows.ToDictionary(r => r.CorrelationId);
        return parsed.Where(x => byId.ContainsKey(x.Id)).DistinctBy(x => x.Text).ToDictionary(x => x.Text, x => byId[x.Id], StringComparer.Ordinal);
    }
}
