using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Http;

namespace Strait.ServiceDefaults.Security;

/// <summary>
/// The one authentication handler every service uses for the management API: an API key (<c>Bearer strait_…</c>) binds the
/// caller to the key's project and scopes; the internal secret marks a trusted caller whose project comes from
/// <c>X-Project-Id</c> (or <c>project_id</c> in the query).
/// </summary>
public sealed class StraitAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyStore keys,
    IOptions<StraitSecurityOptions> security) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Strait";
    public const string InternalSecretHeader = "X-Internal-Secret";
    public const string ProjectHeader = "X-Project-Id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var internalSecret = Request.Headers[InternalSecretHeader].ToString();
        if (internalSecret.Length > 0)
        {
            return IsInternalSecret(internalSecret) ? Internal() : AuthenticateResult.Fail("invalid internal secret");
        }

        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("authorization must be a Bearer API key");
        }

        var token = authorization["Bearer ".Length..].Trim();
        if (!token.StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal))
        {
            return IsInternalSecret(token) ? Internal() : AuthenticateResult.Fail("invalid API key");
        }

        if (!ApiKeyFormat.IsWellFormed(token))
        {
            return AuthenticateResult.Fail("invalid API key");
        }

        var identity = await keys.FindActiveAsync(ApiKeyFormat.Hash(token), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("invalid, revoked or expired API key");
        }

        var claims = new List<Claim>
        {
            new(StraitClaimTypes.ProjectId, identity.ProjectId),
            new(StraitClaimTypes.ApiKeyId, identity.KeyId.ToString()),
        };
        claims.AddRange(identity.Scopes.Select(s => new Claim(StraitClaimTypes.Scope, s)));
        return Success(claims);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The authentication middleware keeps only successful results; this handler's own cached result has the reason.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiResults.WriteAsync(Context, 401, failure ?? "authentication required");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiResults.WriteAsync(Context, 403, "insufficient permissions");

    private bool IsInternalSecret(string presented)
    {
        var expected = security.Value.InternalSecret;
        return expected.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
    }

    private AuthenticateResult Internal()
    {
        var claims = new List<Claim> { new(StraitClaimTypes.Internal, "true") };
        var project = Request.Headers[ProjectHeader].ToString();
        if (project.Length == 0)
        {
            project = Request.Query["project_id"].ToString();
        }

        if (project.Length > 0)
        {
            claims.Add(new Claim(StraitClaimTypes.ProjectId, project));
        }

        return Success(claims);
    }

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
}
