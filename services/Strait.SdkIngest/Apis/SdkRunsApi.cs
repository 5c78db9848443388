using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>The SDK plane, <c>/sdk/v1/runs/{runId}/…</c>: job code authenticated by its run token.</summary>
public static class SdkRunsApi
{
    public static IEndpointRouteBuilder MapSdkRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sdk/v1/runs/{runId}").RequireRunToken();
        // The token is checked before the path is: an unknown SDK operation is only revealed to a valid token holder.
        group.Map("/{**operation}", () => ApiResults.NotFound("unknown SDK operation"));
        return app;
    }
}
