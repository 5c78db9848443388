using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Http;

namespace Strait.ServiceDefaults.Security;

/// <summary>Authenticates job code on the SDK plane by its run token (<c>Authorization: Bearer &lt;run JWT&gt;</c>).</summary>
public sealed class RunTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    RunTokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "RunToken";
    public const string RunIdRouteValue = "runId";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(authorization.Length == 0
                ? AuthenticateResult.NoResult()
                : AuthenticateResult.Fail("authorization must be a Bearer run token"));
        }

        if (!tokens.TryValidate(authorization["Bearer ".Length..].Trim(), out var claims, out var error))
        {
            return Task.FromResult(AuthenticateResult.Fail(error));
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(StraitClaimTypes.RunId, claims!.RunId.ToString()),
                new Claim(StraitClaimTypes.Attempt, claims.Attempt.ToString(CultureInfo.InvariantCulture)),
            ], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The authentication middleware keeps only successful results; this handler's own cached result has the reason.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiResults.WriteAsync(Context, 401, failure ?? "run token required");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiResults.WriteAsync(Context, 403, "run token is not valid for this run");
}
