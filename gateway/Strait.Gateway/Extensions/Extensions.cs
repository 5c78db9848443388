using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Strait.ServiceDefaults;
using Strait.Gateway.Middleware;
using Strait.ServiceDefaults.Http;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Strait.Gateway.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        builder.Services.AddSingleton<IDestinationResolver, ServiceDestinationResolver>();

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var credential = RequireCredentialsMiddleware.Credential(context.Request);
                if (credential is null)
                {
                    return RateLimitPartition.GetNoLimiter("anonymous");
                }

                var options = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(PartitionKey(credential), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
                    : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiResults.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "rate limit exceeded", [$"retry_after_seconds={retryAfter}"]));
            };
        });
        return builder;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<RequireCredentialsMiddleware>();
        app.UseRateLimiter();
        app.MapReverseProxy();

        // One reference over every service's document, each fetched through the routes above.
        app.MapScalarApiReference("/reference", options =>
        {
            options.WithTitle("Strait API");
            foreach (var service in ServiceEndpoints.BackendServices)
            {
                options.AddDocument(service, service, $"/openapi/{service}.json");
            }
        }).AllowAnonymous();
        return app;
    }

    // Limits are kept per credential without holding the secret itself as a dictionary key.
    private static string PartitionKey(string credential) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credential)), 0, 16);
}
