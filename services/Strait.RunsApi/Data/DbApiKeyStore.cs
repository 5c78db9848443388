using Microsoft.EntityFrameworkCore;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Data;

/// <summary>runs-api owns the keys, so it checks them against its own table (no cache: revocation is immediate here).</summary>
public sealed class DbApiKeyStore(RunsDbContext db, TimeProvider time) : IApiKeyStore
{
    public async ValueTask<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = await db.ApiKeys.AsNoTracking()
            .Where(k => k.KeyHash == keyHash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Select(k => new { k.Id, k.ProjectId, k.Scopes })
            .FirstOrDefaultAsync(cancellationToken);
        return key is null ? null : new ApiKeyIdentity(key.Id, key.ProjectId, key.Scopes);
    }
}
