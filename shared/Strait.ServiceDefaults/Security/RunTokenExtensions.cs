using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Strait.ServiceDefaults.Http;

namespace Strait.ServiceDefaults.Security;

public static class RunTokenExtensions
{
    public const string PolicyName = "run-token";

    /// <summary>Run-token issuing and verification (the dispatcher issues, sdk-ingest verifies).</summary>
    public static IHostApplicationBuilder AddRunTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RunTokenOptions>()
            .BindConfiguration(RunTokenOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.SigningKeys.Count > 0 && o.SigningKeys.All(k => k.Id.Length > 0 && k.Key.Length >= 32),
                "Strait:RunTokens:SigningKeys needs at least one key with an Id and a Key of 32 or more characters")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RunTokenService>();
        return builder;
    }

    /// <summary>Adds the run-token authentication scheme and its policy next to the API-key scheme.</summary>
    public static IHostApplicationBuilder AddRunTokenAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddRunTokens();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, RunTokenAuthenticationHandler>(RunTokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, policy => policy.AddAuthenticationSchemes(RunTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        return builder;
    }

    /// <summary>Requires a valid run token for the run named by the <c>{runId}</c> route value (403 for another run's token).</summary>
    public static TBuilder RequireRunToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization(PolicyName);
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var claimed = http.User.FindFirst(StraitClaimTypes.RunId)?.Value;
            var routeRunId = http.Request.RouteValues[RunTokenAuthenticationHandler.RunIdRouteValue]?.ToString();
            return Guid.TryParse(routeRunId, out var runId) && Guid.TryParse(claimed, out var tokenRunId) && runId == tokenRunId
                ? await next(context)
                : ApiResults.Forbidden("run token is not valid for this run");
        });
        return builder;
    }
}
