using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;

namespace Strait.SdkIngest.Apis;

/// <summary><c>GET /payload</c>: the run's stored payload as the raw JSON body (the SDK reference's shape).</summary>
public static class SdkPayloadApi
{
    public static RouteGroupBuilder MapSdkPayloadApi(this RouteGroupBuilder group)
    {
        group.MapGet("/payload", GetPayloadAsync);
        return group;
    }

    private static async Task<IResult> GetPayloadAsync(Guid runId, HttpContext http, IngestDbContext db, RunsApiClient runs, CancellationToken ct)
    {
        var (_, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var payload = await runs.GetPayloadAsync(runId, ct);
        return payload is null
            ? ApiResults.NotFound("run not found")
            : TypedResults.Text(payload, "application/json");
    }
}
