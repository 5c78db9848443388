using System.Text.Json;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>/spawn</c> (a child run of a job, optionally awaited) and <c>/continue</c> (the next run of this job's chain). The
/// new run is runs-api's to create; this side checks the token against its run copy first, so a finished or stale run
/// costs no call.
/// </summary>
public static class SdkLineageApi
{
    public static RouteGroupBuilder MapSdkLineageApi(this RouteGroupBuilder group)
    {
        group.MapPost("/spawn", SpawnAsync);
        group.MapPost("/continue", ContinueAsync);
        return group;
    }

    public sealed record SpawnRequest(string? JobSlug, string? ProjectId, JsonElement? Payload, bool? AwaitCompletion, int? AwaitTimeoutSecs,
        string? TargetApiKey);

    public sealed record ContinueRequest(JsonElement? Payload);

    private static async Task<IResult> SpawnAsync(Guid runId, SpawnRequest? body, HttpContext http, IngestDbContext db, RunLineageClient runs,
        CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        body ??= new SpawnRequest(null, null, null, null, null, null);
        var (status, answer) = await runs.SpawnAsync(runId, new
        {
            Attempt = SdkRunGuard.TokenAttempt(http),
            body.JobSlug,
            body.ProjectId,
            body.Payload,
            body.AwaitCompletion,
            body.AwaitTimeoutSecs,
            body.TargetApiKey,
        }, http.TraceIdentifier, ct);
        return TypedResults.Content(answer, "application/json", statusCode: status);
    }

    private static async Task<IResult> ContinueAsync(Guid runId, ContinueRequest? body, HttpContext http, IngestDbContext db, RunLineageClient runs,
        CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var (status, answer) = await runs.ContinueAsync(runId, new { Attempt = SdkRunGuard.TokenAttempt(http), body?.Payload }, http.TraceIdentifier, ct);
        return TypedResults.Content(answer, "application/json", statusCode: status);
    }
}
