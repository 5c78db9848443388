using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Strait.ServiceDefaults.Security;

/// <summary>
/// API keys are owned by runs-api; the other services verify a key there over internal HTTP and remember a positive
/// answer briefly. Unknown keys are never cached, so a new key works everywhere at once; a revoked key stops working
/// here within <see cref="StraitSecurityOptions.ApiKeyCacheSeconds"/>.
/// </summary>
public sealed class RemoteApiKeyStore(HttpClient http, IMemoryCache cache, IOptions<StraitSecurityOptions> options) : IApiKeyStore
{
    public const string VerifyPath = "/internal/v1/api-keys/verify";

    public async ValueTask<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(keyHash, out ApiKeyIdentity? cached))
        {
            return cached;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, VerifyPath)
        {
            Content = JsonContent.Create(new VerifyRequest(keyHash)),
        };
        request.Headers.Add(StraitAuthenticationHandler.InternalSecretHeader, options.Value.InternalSecret);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        // Anything else than found/not-found is a dependency failure: it must surface as an error, not as "unauthenticated".
        response.EnsureSuccessStatusCode();
        var found = await response.Content.ReadFromJsonAsync<VerifyResponse>(cancellationToken)
            ?? throw new InvalidOperationException("runs-api answered an empty key verification");
        var identity = new ApiKeyIdentity(found.KeyId, found.ProjectId, found.Scopes);
        if (options.Value.ApiKeyCacheSeconds > 0)
        {
            cache.Set(keyHash, identity, TimeSpan.FromSeconds(options.Value.ApiKeyCacheSeconds));
        }

        return identity;
    }

    public sealed record VerifyRequest([property: JsonPropertyName("key_hash")] string KeyHash);

    public sealed record VerifyResponse(
        [property: JsonPropertyName("key_id")] Guid KeyId,
        [property: JsonPropertyName("project_id")] string ProjectId,
        [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes);
}
