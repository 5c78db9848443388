using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Clients;

/// <summary>Reads a run as GET /v1/runs/{id} shows it from runs-api, which owns it, over internal HTTP.</summary>
public sealed class RunDetailsClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    /// <summary>The Run object, or null when runs-api knows no such run.</summary>
    public async Task<JsonElement?> GetRunAsync(Guid runId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/internal/v1/runs/{runId}");
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return document.RootElement.Clone();
    }
}
