using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Gateway.Middleware;

/// <summary>
/// Rejects API and SDK calls that carry no credential at all before they cost a backend anything. Whether a credential
/// is valid is decided by the service that answers: the gateway is never the only line.
/// </summary>
public sealed class RequireCredentialsMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var guarded = path.StartsWithSegments("/v1", StringComparison.Ordinal) || path.StartsWithSegments("/sdk", StringComparison.Ordinal);
        if (!guarded || HasCredential(context.Request))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiResults.WriteAsync(context, StatusCodes.Status401Unauthorized, "authentication required");
    }

    public static string? Credential(HttpRequest request)
    {
        var secret = request.Headers[StraitAuthenticationHandler.InternalSecretHeader].ToString();
        if (secret.Length > 0)
        {
            return secret;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > "Bearer ".Length
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    private static bool HasCredential(HttpRequest request) => !string.IsNullOrEmpty(Credential(request));
}
