using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Contracts.Events;
using Strait.Contracts.Runs;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>
/// SDK <c>/spawn</c> and <c>/continue</c> (semantics.md §9.1, §9.2) as sdk-ingest asks for them: runs-api owns runs, so
/// it creates the new run here, through the same factory and scheduler as a trigger. The caller's run is re-checked
/// against its row (the authoritative state) for the token's attempt.
/// </summary>
public static class InternalLineageApi
{
    public const int MaxLineageDepth = 10;
    public const int DefaultAwaitTimeoutSecs = 3600;
    public const int MaxAwaitTimeoutSecs = 2_592_000;
    private const int MaxPayloadBytes = 5 * 1024 * 1024;
    private static readonly TriggerRequest EmptyTrigger = new(null, null, null, null, null, null, null, null);

    public static IEndpointRouteBuilder MapInternalLineageApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/v1/runs/{runId:guid}/spawn", SpawnAsync).RequireInternalCaller();
        app.MapPost("/internal/v1/runs/{runId:guid}/continue", ContinueAsync).RequireInternalCaller();
        return app;
    }

    /// <summary>The SDK body plus the attempt of the caller's run token.</summary>
    public sealed record SpawnRunRequest(int Attempt, string? JobSlug, string? ProjectId, JsonElement? Payload, bool? AwaitCompletion,
        int? AwaitTimeoutSecs, string? TargetApiKey);

    public sealed record ContinueRunRequest(int Attempt, JsonElement? Payload);

    private static async Task<IResult> SpawnAsync(Guid runId, SpawnRunRequest body, RunsDbContext db, RunScheduler scheduler,
        IApiKeyStore keys, IRequestClient<RequestRunWait> waits, IRequestClient<ResumeWaitingRun> resumes,
        IRequestClient<RegisterEventTrigger> triggers, IPublishEndpoint publish, TimeProvider time, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.JobSlug) || string.IsNullOrWhiteSpace(body.ProjectId))
        {
            return ApiResults.Validation([.. Missing(body.JobSlug, "job_slug"), .. Missing(body.ProjectId, "project_id")]);
        }

        var awaitTimeout = body.AwaitTimeoutSecs ?? DefaultAwaitTimeoutSecs;
        if (awaitTimeout is < 1 or > MaxAwaitTimeoutSecs)
        {
            return ApiResults.Validation([$"await_timeout_secs: must be between 1 and {MaxAwaitTimeoutSecs}"]);
        }

        var parent = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == runId, ct);
        if (CheckCaller(parent, body.Attempt) is { } refusal)
        {
            return refusal;
        }

        if (parent!.LineageDepth >= MaxLineageDepth)
        {
            return ApiResults.BadRequest($"lineage depth limit of {MaxLineageDepth} reached");
        }

        if (body.ProjectId != parent.ProjectId && await CheckTargetKeyAsync(keys, body.TargetApiKey, body.ProjectId, ct) is { } keyRefusal)
        {
            return keyRefusal;
        }

        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.ProjectId == body.ProjectId && j.Slug == body.JobSlug, ct);
        if (CheckJob(job) is { } jobRefusal)
        {
            return jobRefusal;
        }

        var payload = CanonicalJson.Canonicalize(body.Payload);
        if (payload.Length > MaxPayloadBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"payload exceeds {MaxPayloadBytes} bytes");
        }

        var now = time.GetUtcNow();
        var child = RunFactory.Create(job!, EmptyTrigger, payload, CanonicalJson.Hash(payload), now, "spawn", Actor(parent), []);
        child.ParentRunId = parent.CorrelationId;
        child.LineageDepth = parent.LineageDepth + 1;
        var awaiting = body.AwaitCompletion == true;
        var awaitKey = RunStateMachine.SpawnAwaitKey(child.CorrelationId);

        // The parent's event trigger (listed by /v1/events, resolved by the events service when the child ends) exists
        // before the parent waits, and the parent is parked before the child exists, so the child's end can never reach
        // either before they wait.
        if (awaiting)
        {
            var triggerId = Guid.CreateVersion7(now);
            var registered = (await triggers.GetResponse<EventTriggerResult>(new RegisterEventTrigger
            {
                TriggerId = triggerId,
                RunId = parent.CorrelationId,
                ProjectId = parent.ProjectId,
                EventKey = awaitKey,
                TimeoutSecs = awaitTimeout,
                RequestedAt = now,
                ExpiresAt = now.AddSeconds(awaitTimeout),
                TriggerType = EventTriggerTypes.SpawnAwait,
            }, ct, RequestTimeout.After(s: 15))).Message;
            if (registered.Status != StatusCodes.Status200OK)
            {
                return ApiResults.Error(registered.Status, registered.Error ?? "event trigger refused");
            }

            var wait = await ParkAsync(waits, new RequestRunWait
            {
                RunId = parent.CorrelationId, Attempt = body.Attempt, Reason = awaitKey, TimeoutAt = now.AddSeconds(awaitTimeout),
            }, ct);
            if (wait.Status != StatusCodes.Status200OK)
            {
                await publish.Publish(new WithdrawEventTrigger { TriggerId = triggerId, RunId = parent.CorrelationId }, ct);
                await db.SaveChangesAsync(ct);
                return CommandRefusal(wait);
            }
        }

        try
        {
            await scheduler.StartAsync(child, job!, ct);
            db.Runs.Add(child);
            await db.SaveChangesAsync(ct);
        }
        catch when (awaiting)
        {
            // No child will ever end: let the parent go on rather than sit out its await timeout.
            await resumes.GetResponse<RunCommandResult>(new ResumeWaitingRun { RunId = parent.CorrelationId, EventKey = awaitKey },
                CancellationToken.None, RequestTimeout.After(s: 15));
            throw;
        }

        // The Run object (the SDK reference's shape) with the await fields routes.md adds.
        var answer = JsonSerializer.SerializeToNode(RunResponse.From(child), json.Value.SerializerOptions)!.AsObject();
        if (awaiting)
        {
            answer["await_completion"] = true;
            answer["await_event_key"] = awaitKey;
        }

        return TypedResults.Created($"/v1/runs/{child.CorrelationId}", answer);
    }

    private static async Task<IResult> ContinueAsync(Guid runId, ContinueRunRequest body, RunsDbContext db, RunScheduler scheduler,
        TimeProvider time, CancellationToken ct)
    {
        var previous = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == runId, ct);
        if (CheckCaller(previous, body.Attempt) is { } refusal)
        {
            return refusal;
        }

        if (previous!.LineageDepth >= MaxLineageDepth)
        {
            return ApiResults.BadRequest($"lineage depth limit of {MaxLineageDepth} reached");
        }

        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == previous.JobId && j.ProjectId == previous.ProjectId, ct);
        if (CheckJob(job) is { } jobRefusal)
        {
            return jobRefusal;
        }

        var given = body.Payload is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) };
        var payload = given ? CanonicalJson.Canonicalize(body.Payload) : previous.Payload;
        if (payload.Length > MaxPayloadBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"payload exceeds {MaxPayloadBytes} bytes");
        }

        var trigger = EmptyTrigger with { Tags = previous.Tags, Priority = previous.Priority, ConcurrencyKey = previous.ConcurrencyKey };
        var next = RunFactory.Create(job!, trigger, payload, given ? CanonicalJson.Hash(payload) : previous.PayloadHash, time.GetUtcNow(),
            "manual", Actor(previous), []);
        next.ContinuationOf = previous.CorrelationId;
        next.LineageDepth = previous.LineageDepth + 1;
        await scheduler.StartAsync(next, job!, ct);
        db.Runs.Add(next);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/runs/{next.CorrelationId}", RunResponse.From(next));
    }

    private static string Actor(RunState run) => "run:" + run.CorrelationId.ToString("D");

    private static IEnumerable<string> Missing(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? [$"{field}: failed on 'required'"] : [];

    // The SDK guard's rules (semantics §5.2), against the run row rather than sdk-ingest's copy.
    private static IResult? CheckCaller(RunState? run, int attempt)
    {
        if (run is null)
        {
            return ApiResults.NotFound("run not found");
        }

        var status = RunStateMachine.Status(run);
        if (RunStatuses.Terminal.Contains(status))
        {
            return ApiResults.Error(StatusCodes.Status410Gone, $"run is already {status}");
        }

        if (run.Attempt != attempt)
        {
            return ApiResults.Error(StatusCodes.Status401Unauthorized, "stale run token");
        }

        // A token is only minted at dispatch: queued for the token's own attempt means the dispatch has started and the
        // saga has not seen it yet (the job code called back at once), as sdk-ingest's guard also reads it.
        return status is RunStatuses.Executing or RunStatuses.Waiting or RunStatuses.Queued
            ? null
            : ApiResults.Conflict("run is not active for this SDK token");
    }

    private static IResult? CheckJob(Job? job) => job switch
    {
        null => ApiResults.NotFound("job not found"),
        { Enabled: false } => ApiResults.BadRequest("job is disabled"),
        { Paused: true } => ApiResults.Conflict("job is paused"),
        _ => null,
    };

    // Spawning into another project needs that project's consent: a live key of it that may trigger jobs.
    private static async Task<IResult?> CheckTargetKeyAsync(IApiKeyStore keys, string? targetKey, string projectId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(targetKey))
        {
            return ApiResults.Forbidden("target_api_key is required to spawn into another project");
        }

        var identity = ApiKeyFormat.IsWellFormed(targetKey) ? await keys.FindActiveAsync(ApiKeyFormat.Hash(targetKey), ct) : null;
        if (identity is null)
        {
            return ApiResults.Error(StatusCodes.Status401Unauthorized, "target_api_key is invalid, revoked or expired");
        }

        if (identity.ProjectId != projectId)
        {
            return ApiResults.Forbidden("target_api_key does not belong to project_id");
        }

        return Scopes.Grants(identity.Scopes, Scopes.JobsTrigger) ? null : ApiResults.Forbidden($"target_api_key lacks {Scopes.JobsTrigger}");
    }

    // Only an executing run can be parked. A run still queued for this attempt is executing already (see CheckCaller):
    // its start notice is a moment behind, so the request is repeated briefly instead of refused.
    private static async Task<RunCommandResult> ParkAsync(IRequestClient<RequestRunWait> waits, RequestRunWait wait, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            var result = (await waits.GetResponse<RunCommandResult>(wait, ct, RequestTimeout.After(s: 15))).Message;
            if (result.Status != StatusCodes.Status409Conflict || result.RunStatus != RunStatuses.Queued || tries == 40)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private static IResult CommandRefusal(RunCommandResult result) => result.Status switch
    {
        StatusCodes.Status409Conflict => ApiResults.Conflict("run is not active for this SDK token"),
        _ => ApiResults.Error(result.Status, result.Error ?? "run command refused"),
    };
}
