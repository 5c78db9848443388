using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>
/// <c>POST /v1/runs/{id}/debug</c> <c>{debug_mode: bool}</c>: turns a run's debug mode on or off (routes §3.2). runs-api
/// owns the run row; the flag is not part of the lifecycle, so it is set with one UPDATE, which waits for the saga's row
/// lock like any other write and so never undoes a transition. Absent <c>debug_mode</c> means false, as in the original.
/// </summary>
public static class RunDebugApi
{
    public static IEndpointRouteBuilder MapRunDebugApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/runs/{runId}/debug", SetDebugModeAsync).RequireScope(Scopes.RunsWrite);
        return app;
    }

    private static async Task<IResult> SetDebugModeAsync(string runId, JsonElement? body, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var debugMode = false;
        if (body is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("debug_mode", out var value) && value.ValueKind != JsonValueKind.Null)
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ApiResults.Validation(["debug_mode: must be a boolean"]);
            }

            debugMode = value.GetBoolean();
        }
        else if (body is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null) })
        {
            return ApiResults.BadRequest("invalid request body: expected an object");
        }

        if (!Guid.TryParse(runId, out var id))
        {
            return ApiResults.NotFound("run not found");
        }

        var updated = await db.Runs.Where(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.DebugMode, debugMode), ct);
        return updated == 0 ? ApiResults.NotFound("run not found") : TypedResults.Ok(new { status = "ok" });
    }
}
