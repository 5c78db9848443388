using System.Net;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Clients;

/// <summary>Reads a run's stored payload from runs-api, which owns it, over internal HTTP.</summary>
public sealed class RunPayloadClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    /// <summary>The payload's JSON text, or null when runs-api knows no such run.</summary>
    public async Task<string?> GetPayloadAsync(Guid runId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/internal/v1/runs/{runId}/payload");
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }
}
