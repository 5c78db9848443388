using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Data;
using Strait.Contracts.Runs;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Json;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>/complete</c>, <c>/fail</c> and <c>/heartbeat</c>: requests to the run saga, so the job code learns the truth —
/// 200 done, 401 stale attempt, 404 unknown run, 409 not active, 410 already finished.
/// </summary>
public static class SdkLifecycleApi
{
    public const int MaxResultBytes = 1024 * 1024;

    public static RouteGroupBuilder MapSdkLifecycleApi(this RouteGroupBuilder group)
    {
        group.MapPost("/complete", CompleteAsync);
        group.MapPost("/fail", FailAsync);
        group.MapPost("/heartbeat", HeartbeatAsync);
        return group;
    }

    public sealed record CompleteRequest(JsonElement? Result);

    public sealed record FailRequest(string? Error, bool? Retry);

    public sealed record RunStatusResponse(Guid Id, string Status);

    private static async Task<IResult> CompleteAsync(
        Guid runId, CompleteRequest? body, HttpContext http, IRequestClient<CompleteRun> client, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        string? result = body?.Result is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } value ? value.GetRawText() : null;
        if (result is { Length: > MaxResultBytes })
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"result exceeds {MaxResultBytes} bytes");
        }

        if (result is not null && await ResultSchemaRefusalAsync(runId, result, http, db, ct) is { } refusal)
        {
            return refusal;
        }

        var outcome = await SendAsync(client, new CompleteRun { RunId = runId, Attempt = Attempt(http), Result = result }, ct);
        await RecordTerminalAsync(db, clock, runId, outcome, ct);
        return ToResult(outcome, runId);
    }

    // routes.md §1.5: a result the job's result_schema refuses is answered 422 result_schema_validation_failed and the run
    // is left as it was. Unknown or finished runs are not checked here: the saga's own answer (404, 410) is the truth.
    private static async Task<IResult?> ResultSchemaRefusalAsync(Guid runId, string result, HttpContext http, IngestDbContext db, CancellationToken ct)
    {
        var run = await http.RequestServices.GetRequiredService<Clients.RunCopySeeder>().FindAsync(db, runId, ct);
        if (run is null || SdkRunGuard.TerminalStatuses.Contains(run.Status))
        {
            return null;
        }

        string? schema;
        try
        {
            schema = await http.RequestServices.GetRequiredService<Clients.JobResultSchemas>().GetAsync(run.JobId, ct);
        }
        catch (HttpRequestException)
        {
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "the job's result schema cannot be read right now; retry");
        }

        return schema is not null && await JsonSchemaValidator.ValidateAsync(schema, result, ct, "result", cache: true) is { } mismatch
            ? ApiResults.Error(StatusCodes.Status422UnprocessableEntity, "result does not match the job's result_schema", mismatch,
                "result_schema_validation_failed")
            : null;
    }

    private static async Task<IResult> FailAsync(
        Guid runId, FailRequest? body, HttpContext http, IRequestClient<FailRun> client, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Error))
        {
            return ApiResults.Validation(["error: failed on 'required'"]);
        }

        var error = body.Error.Length > 4096 ? body.Error[..4096] : body.Error;
        var outcome = await SendAsync(client, new FailRun { RunId = runId, Attempt = Attempt(http), Error = error, Retry = body.Retry == true }, ct);
        await RecordTerminalAsync(db, clock, runId, outcome, ct);
        return ToResult(outcome, runId);
    }

    private static async Task<IResult> HeartbeatAsync(Guid runId, HttpContext http, IRequestClient<RecordHeartbeat> client, CancellationToken ct)
    {
        var result = await SendAsync(client, new RecordHeartbeat { RunId = runId, Attempt = Attempt(http) }, ct);
        return result.Status == StatusCodes.Status200OK ? TypedResults.Ok(new { status = "ok" }) : ToResult(result, runId);
    }

    // The saga has committed the end; marking the local copy now (rather than when RunStatusChanged arrives) means
    // telemetry sent after a 200 from /complete or /fail is refused with 410 at once. The stamp keeps the older
    // transitions still in flight from overwriting it.
    private static async Task RecordTerminalAsync(IngestDbContext db, TimeProvider clock, Guid runId, RunCommandResult outcome, CancellationToken ct)
    {
        if (outcome.Status != StatusCodes.Status200OK || !SdkRunGuard.TerminalStatuses.Contains(outcome.RunStatus))
        {
            return;
        }

        var now = clock.GetUtcNow();
        await db.RunStates.Where(r => r.RunId == runId && r.ChangedAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, outcome.RunStatus).SetProperty(r => r.ChangedAt, now), ct);
    }

    private static async Task<RunCommandResult> SendAsync<T>(IRequestClient<T> client, T command, CancellationToken ct) where T : class =>
        (await client.GetResponse<RunCommandResult>(command, ct, RequestTimeout.After(s: 15))).Message;

    private static IResult ToResult(RunCommandResult result, Guid runId) => result.Status switch
    {
        StatusCodes.Status200OK => TypedResults.Ok(new RunStatusResponse(runId, result.RunStatus)),
        _ => ApiResults.Error(result.Status, result.Error ?? "run command refused"),
    };

    private static int Attempt(HttpContext http) =>
        int.Parse(http.User.FindFirst(StraitClaimTypes.Attempt)!.Value, CultureInfo.InvariantCulture);
}
