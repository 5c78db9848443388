using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Clients;

/// <summary>
/// Asks runs-api, which owns runs, to create a spawned child or a continuation (internal HTTP). Its answer — the new
/// run, or an error body — is handed to the job code unchanged, under the same request id.
/// </summary>
public sealed class RunLineageClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    private static readonly JsonSerializerOptions Json = CreateJsonOptions();

    public Task<(int Status, string Body)> SpawnAsync(Guid runId, object body, string? requestId, CancellationToken ct) =>
        PostAsync($"/internal/v1/runs/{runId}/spawn", body, requestId, ct);

    public Task<(int Status, string Body)> ContinueAsync(Guid runId, object body, string? requestId, CancellationToken ct) =>
        PostAsync($"/internal/v1/runs/{runId}/continue", body, requestId, ct);

    private async Task<(int Status, string Body)> PostAsync(string path, object body, string? requestId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId);
        }

        using var response = await http.SendAsync(request, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        global::Strait.ServiceDefaults.Extensions.ConfigureJson(json);
        return json;
    }
}
