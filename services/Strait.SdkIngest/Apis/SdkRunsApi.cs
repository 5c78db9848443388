using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>The SDK plane, <c>/sdk/v1/runs/{runId}/…</c>: job code authenticated by its run token.</summary>
public static class SdkRunsApi
{
    public static IEndpointRouteBuilder MapSdkRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sdk/v1/runs/{runId:guid}").RequireRunToken();
        group.MapSdkLifecycleApi();
        group.MapSdkTelemetryApi();
        group.MapSdkRunDataApi();
        group.MapSdkPayloadApi();
        group.MapSdkMemoryApi();
        group.MapSdkStreamApi();
        group.MapSdkEventWaitApi();
        group.MapSdkLineageApi();
        // The token is checked before the path is: an unknown SDK operation is only revealed to a valid token holder.
        group.Map("/{**operation}", () => ApiResults.NotFound("unknown SDK operation"));
        // A malformed run id still meets the token check (401/403) before anything else.
        app.MapGroup("/sdk/v1/runs/{runId}").RequireRunToken().Map("/{**operation}", () => ApiResults.NotFound("run not found"));
        return app;
    }
}
