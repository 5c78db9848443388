using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// <c>/spawn</c> (a child run of a job, optionally awaited) and <c>/continue</c> (the next run of this job's chain). The
/// new run is runs-api's to create; this side checks the token against its run copy first, so a finished or stale run
/// costs no call; runs-api then checks the run row itself.
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

    private static async Task<IResult> SpawnAsync(Guid runId, SpawnRequest? body, HttpContext http, IngestDbContext db, RunsApiClient runs,
        CancellationToken ct)
    {
        if (await RefuseAsync(db, runId, http, ct) is { } refusal)
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

    // The copy is created by the run's first status message, which can trail the dispatch: job code that spawns or
    // continues at once may find no copy yet. runs-api checks the run itself, so only a copy that exists can refuse.
    private static async Task<IResult?> RefuseAsync(IngestDbContext db, Guid runId, HttpContext http, CancellationToken ct)
    {
        var run = await db.RunStates.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId, ct);
        return run is not null && SdkRunGuard.Evaluate(run, SdkRunGuard.TokenAttempt(http)) is { } r ? ApiResults.Error(r.Status, r.Message) : null;
    }

    private static async Task<IResult> ContinueAsync(Guid runId, ContinueRequest? body, HttpContext http, IngestDbContext db, RunsApiClient runs,
        CancellationToken ct)
    {
        if (await RefuseAsync(db, runId, http, ct) is { } refusal)
        {
            return refusal;
        }

        var (status, answer) = await runs.ContinueAsync(runId, new { Attempt = SdkRunGuard.TokenAttempt(http), body?.Payload }, http.TraceIdentifier, ct);
        return TypedResults.Content(answer, "application/json", statusCode: status);
    }
}
