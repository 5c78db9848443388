using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Clients;

/// <summary>
/// Asks runs-api, which owns runs, for a run's status as seen by one project, when a live stream opens.
/// </summary>
public sealed class RunsApiClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    /// <summary>The run's status, or null when <paramref name="projectId"/> has no such run.</summary>
    public async Task<string?> GetStatusAsync(Guid runId, string projectId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}");
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        request.Headers.Add(StraitAuthenticationHandler.ProjectHeader, projectId);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return run.RootElement.GetProperty("status").GetString();
    }
}
