using System.Globalization;
using System.Text.Json;
using MassTransit;
using Strait.Contracts.Runs;
using Strait.ServiceDefaults.Http;
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

    private static async Task<IResult> CompleteAsync(Guid runId, CompleteRequest? body, HttpContext http, IRequestClient<CompleteRun> client, CancellationToken ct)
    {
        string? result = body?.Result is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } value ? value.GetRawText() : null;
        if (result is { Length: > MaxResultBytes })
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"result exceeds {MaxResultBytes} bytes");
        }

        return ToResult(await SendAsync(client, new CompleteRun { RunId = runId, Attempt = Attempt(http), Result = result }, ct), runId);
    }

    private static async Task<IResult> FailAsync(Guid runId, FailRequest? body, HttpContext http, IRequestClient<FailRun> client, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Error))
        {
            return ApiResults.Validation(["error: failed on 'required'"]);
        }

        var error = body.Error.Length > 4096 ? body.Error[..4096] : body.Error;
        return ToResult(await SendAsync(client, new FailRun { RunId = runId, Attempt = Attempt(http), Error = error, Retry = body.Retry == true }, ct), runId);
    }

    private static async Task<IResult> HeartbeatAsync(Guid runId, HttpContext http, IRequestClient<RecordHeartbeat> client, CancellationToken ct)
    {
        var result = await SendAsync(client, new RecordHeartbeat { RunId = runId, Attempt = Attempt(http) }, ct);
        return result.Status == StatusCodes.Status200OK ? TypedResults.Ok(new { status = "ok" }) : ToResult(result, runId);
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
