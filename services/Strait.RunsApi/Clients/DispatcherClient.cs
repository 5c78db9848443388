using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Clients;

/// <summary>Asks the dispatcher, which owns outbound calls, to send a signed test request to an endpoint.</summary>
public sealed class DispatcherClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    /// <summary>The dispatcher's answer (<c>{success, status_code?, latency_ms, error?}</c>) as it came.</summary>
    public async Task<JsonElement> CheckEndpointAsync(string endpointUrl, string? signingSecret, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/v1/endpoint-checks")
        {
            Content = JsonContent.Create(new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["endpoint_url"] = endpointUrl,
                ["signing_secret"] = signingSecret,
            }),
        };
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }
}
