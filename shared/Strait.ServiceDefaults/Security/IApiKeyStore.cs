namespace Strait.ServiceDefaults.Security;

/// <summary>Looks up an active (not revoked, not expired) API key by the SHA-256 of its secret.</summary>
public interface IApiKeyStore
{
    ValueTask<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken cancellationToken);
}
