using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Clients;

/// <summary>
/// runs-api's internal HTTP API (<c>/internal/v1/runs/…</c>, with the internal secret): runs are owned there, and
/// sdk-ingest reads a run or its payload, and asks it to create spawned children and continuations.
/// </summary>
public sealed class RunsApiClient(HttpClient http, IOptions<StraitSecurityOptions> options)
{
    private static readonly JsonSerializerOptions Json = CreateJsonOptions();

    /// <summary>The Run object as GET /v1/runs/{id} shows it, or null when runs-api knows no such run.</summary>
    public async Task<JsonElement?> GetRunAsync(Guid runId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/internal/v1/runs/{runId}", null, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return document.RootElement.Clone();
    }

    /// <summary>The payload's JSON text, or null when runs-api knows no such run.</summary>
    public async Task<string?> GetPayloadAsync(Guid runId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/internal/v1/runs/{runId}/payload", null, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>The job's <c>result_schema</c> JSON text; null when the job has none or no longer exists.</summary>
    public async Task<string?> GetResultSchemaAsync(Guid jobId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/internal/v1/jobs/{jobId}/result-schema", null, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return document.RootElement.TryGetProperty("result_schema", out var schema) && schema.ValueKind != JsonValueKind.Null
            ? schema.GetRawText()
            : null;
    }

    /// <summary>
    /// Creates a spawned child; the answer (the new run, or an error body) is handed to the job code unchanged, under
    /// the same request id.
    /// </summary>
    public Task<(int Status, string Body)> SpawnAsync(Guid runId, object body, string? requestId, CancellationToken ct) =>
        PostAsync($"/internal/v1/runs/{runId}/spawn", body, requestId, ct);

    /// <summary>Creates a continuation; answered like <see cref="SpawnAsync"/>.</summary>
    public Task<(int Status, string Body)> ContinueAsync(Guid runId, object body, string? requestId, CancellationToken ct) =>
        PostAsync($"/internal/v1/runs/{runId}/continue", body, requestId, ct);

    private async Task<(int Status, string Body)> PostAsync(string path, object body, string? requestId, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, JsonContent.Create(body, options: Json), requestId, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? requestId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId);
        }

        return await http.SendAsync(request, ct);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        global::Strait.ServiceDefaults.Extensions.ConfigureJson(json);
        return json;
    }
}
