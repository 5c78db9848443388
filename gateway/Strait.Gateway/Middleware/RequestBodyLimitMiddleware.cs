using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Strait.ServiceDefaults.Http;

namespace Strait.Gateway.Middleware;

/// <summary>Refuses bodies over the limit with 413 and the error body before anything is forwarded.</summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return ApiResults.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body exceeds {limit} bytes");
        }

        // A chunked body has no length up front: Kestrel stops reading it at the limit instead.
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
