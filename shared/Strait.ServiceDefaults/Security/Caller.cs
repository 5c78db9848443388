using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Strait.ServiceDefaults.Security;

/// <summary>Who is calling, as the authentication handler bound it. Every query is scoped by <see cref="ProjectId"/>.</summary>
public sealed record Caller(string? ProjectId, bool IsInternal, Guid? ApiKeyId, IReadOnlyList<string> Scopes)
{
    /// <summary>Who did it, as recorded on what the caller creates or changes (<c>created_by</c>, <c>updated_by</c>).</summary>
    public string Actor => ApiKeyId is { } keyId ? $"apikey:{keyId}" : "internal";

    public bool Has(string scope) => IsInternal || Strait.ServiceDefaults.Security.Scopes.Grants(Scopes, scope);

    /// <summary>Lets minimal-API handlers take a <see cref="Caller"/> parameter.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult<Caller?>(From(context.User));

    public static Caller From(ClaimsPrincipal user)
    {
        var keyId = user.FindFirstValue(StraitClaimTypes.ApiKeyId);
        return new Caller(
            user.FindFirstValue(StraitClaimTypes.ProjectId),
            user.HasClaim(StraitClaimTypes.Internal, "true"),
            keyId is null ? null : Guid.Parse(keyId),
            user.FindAll(StraitClaimTypes.Scope).Select(c => c.Value).ToArray());
    }
}
