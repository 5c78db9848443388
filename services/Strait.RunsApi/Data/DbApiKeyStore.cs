using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Data;

/// <summary>
/// runs-api owns the keys, so it checks them against its own table. A found key is remembered for
/// <see cref="StraitSecurityOptions.ApiKeyCacheSeconds"/> (every request would otherwise cost a query); revoking a key
/// forgets it here at once, and other replicas within that time.
/// </summary>
public sealed class DbApiKeyStore(RunsDbContext db, TimeProvider time, IMemoryCache cache, IOptions<StraitSecurityOptions> options) : IApiKeyStore
{
    public async ValueTask<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(CacheKey(keyHash), out ApiKeyIdentity? cached))
        {
            return cached;
        }

        var now = time.GetUtcNow();
        var key = await db.ApiKeys.AsNoTracking()
            .Where(k => k.KeyHash == keyHash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new { k.Id, k.ProjectId, k.Scopes, k.ExpiresAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (key is null)
        {
            return null;
        }

        var identity = new ApiKeyIdentity(key.Id, key.ProjectId, key.Scopes);
        var ttl = TimeSpan.FromSeconds(options.Value.ApiKeyCacheSeconds);
        if (ttl > TimeSpan.Zero)
        {
            // An expiring key is never remembered past its expiry.
            var until = key.ExpiresAt is { } expires && expires - now < ttl ? expires - now : ttl;
            cache.Set(CacheKey(keyHash), identity, until);
        }

        return identity;
    }

    public void Forget(string keyHash) => cache.Remove(CacheKey(keyHash));

    private static string CacheKey(string keyHash) => "apikey:" + keyHash;
}
