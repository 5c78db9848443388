using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>Service-to-service reads of run data runs-api owns (internal secret only).</summary>
public static class InternalRunsApi
{
    public static IEndpointRouteBuilder MapInternalRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/internal/v1/runs/{runId:guid}/payload", GetPayloadAsync).RequireInternalCaller();
        app.MapGet("/internal/v1/runs/{runId:guid}", GetRunAsync).RequireInternalCaller();
        app.MapGet("/internal/v1/jobs/{jobId:guid}/result-schema", GetResultSchemaAsync).RequireInternalCaller();
        return app;
    }

    // The stored canonical JSON is written as is, so sdk-ingest can hand it to the SDK unchanged.
    private static async Task<IResult> GetPayloadAsync(Guid runId, RunsDbContext db, CancellationToken ct)
    {
        var payload = await db.Runs.AsNoTracking().Where(r => r.CorrelationId == runId).Select(r => r.Payload).FirstOrDefaultAsync(ct);
        return payload is null ? ApiResults.NotFound("run not found") : TypedResults.Text(payload, "application/json");
    }

    // sdk-ingest checks /complete results against it: {"result_schema": <schema or null>}.
    private static async Task<IResult> GetResultSchemaAsync(Guid jobId, RunsDbContext db, CancellationToken ct)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.ResultSchema }).FirstOrDefaultAsync(ct);
        return job is null
            ? ApiResults.NotFound("job not found")
            : TypedResults.Text($$"""{"result_schema":{{job.ResultSchema ?? "null"}}}""", "application/json");
    }

    // The Run object as GET /v1/runs/{id} shows it; the caller has already checked the project (sdk-ingest's debug bundle).
    private static async Task<IResult> GetRunAsync(Guid runId, RunsDbContext db, CancellationToken ct)
    {
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == runId, ct);
        return run is null ? ApiResults.NotFound("run not found") : TypedResults.Ok(RunResponse.From(run));
    }
}
