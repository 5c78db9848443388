using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Strait.AppHost;

/// <summary>
/// The development project and API key: reused from <c>&lt;data&gt;/dev.env</c> while the key still works, otherwise
/// created through runs-api with the internal secret; then dev.env is (re)written for <c>set -a; . dev.env</c>.
/// </summary>
public sealed class DevBootstrap(HttpClient http, DevSecrets secrets, Uri runsApi, Uri gateway, string dataDirectory)
{
    public const string ProjectId = "dev";
    private const string InternalSecretHeader = "X-Internal-Secret";

    public string DevEnvPath => Path.Combine(dataDirectory, "dev.env");

    /// <summary>Returns the lines written to dev.env.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken ct)
    {
        var key = ReadExistingKey() is { } existing && await KeyWorksAsync(existing, ct) ? existing : await CreateKeyAsync(ct);
        string[] lines =
        [
            $"STRAIT_BASE_URL={gateway.GetLeftPart(UriPartial.Authority)}",
            $"STRAIT_API_KEY={key}",
            $"STRAIT_PROJECT_ID={ProjectId}",
        ];
        await AtomicFile.WriteAsync(DevEnvPath, string.Join('\n', lines) + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        return lines;
    }

    private string? ReadExistingKey() =>
        File.Exists(DevEnvPath)
            ? File.ReadLines(DevEnvPath).Where(line => line.StartsWith("STRAIT_API_KEY=", StringComparison.Ordinal))
                .Select(line => line["STRAIT_API_KEY=".Length..].Trim()).FirstOrDefault(key => key.Length > 0)
            : null;

    private async Task<bool> KeyWorksAsync(string key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, "/v1/jobs"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task<string> CreateKeyAsync(CancellationToken ct)
    {
        using (var project = Post("/v1/projects", new { id = ProjectId, org_id = ProjectId, name = "Development" }))
        {
            using var response = await http.SendAsync(project, ct);
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
            {
                throw await FailureAsync("create the development project", response, ct);
            }
        }

        using var apiKey = Post("/v1/api-keys", new { project_id = ProjectId, name = "development", scopes = new[] { "*" } });
        apiKey.Headers.Add("X-Project-Id", ProjectId);
        using var created = await http.SendAsync(apiKey, ct);
        if (created.StatusCode != HttpStatusCode.Created)
        {
            throw await FailureAsync("create the development API key", created, ct);
        }

        var body = await created.Content.ReadFromJsonAsync<CreatedApiKey>(ct);
        return body?.Key is { Length: > 0 } key
            ? key
            : throw new AppHostException("runs-api created the development API key but its answer has no \"key\".");
    }

    private HttpRequestMessage Post(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(runsApi, path)) { Content = JsonContent.Create(body) };
        request.Headers.Add(InternalSecretHeader, secrets.InternalSecret);
        return request;
    }

    private static async Task<AppHostException> FailureAsync(string what, HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        return new AppHostException(
            $"could not {what}: {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
    }

    private sealed record CreatedApiKey([property: JsonPropertyName("key")] string? Key);
}
