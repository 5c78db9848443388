using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Strait.ServiceDefaults.Http;

namespace Strait.ServiceDefaults.Security;

public static class SecurityExtensions
{
    /// <summary>
    /// Registers the shared API-key / internal-secret authentication. A service that owns the keys registers its own
    /// <see cref="IApiKeyStore"/> first; every other service verifies keys with runs-api.
    /// </summary>
    public static IHostApplicationBuilder AddStraitAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StraitSecurityOptions>()
            .BindConfiguration(StraitSecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient<RemoteApiKeyStore>(client =>
            client.BaseAddress = ServiceEndpoints.Resolve(builder.Configuration, ServiceEndpoints.RunsApi));
        builder.Services.TryAddScoped<IApiKeyStore>(sp => sp.GetRequiredService<RemoteApiKeyStore>());

        builder.Services.AddAuthentication(StraitAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, StraitAuthenticationHandler>(StraitAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(StraitAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>Requires an authenticated caller holding <paramref name="scope"/> (403 <c>insufficient permissions: requires …</c> otherwise).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.AddEndpointFilter(async (context, next) =>
        {
            var caller = Caller.From(context.HttpContext.User);
            return caller.Has(scope)
                ? await next(context)
                : ApiResults.Forbidden($"insufficient permissions: requires {scope}");
        });
        return builder;
    }

    /// <summary>Requires the internal secret (routes the original marks <c>internal*</c>).</summary>
    public static TBuilder RequireInternalCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.AddEndpointFilter(async (context, next) =>
            Caller.From(context.HttpContext.User).IsInternal
                ? await next(context)
                : ApiResults.Forbidden("admin access required"));
        return builder;
    }
}
