using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Strait.ServiceDefaults.Http;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is sane, else a new one. The id is echoed on the
/// response, put in error bodies and logs, and (at the gateway) forwarded so one id follows a call through every service.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, IConfiguration configuration)
{
    public const string HeaderName = "X-Request-Id";
    public const string TraceHeaderName = "X-Trace-Id";
    private const int MaxLength = 128;

    public Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var id = IsAcceptable(incoming) ? incoming : Guid.CreateVersion7().ToString("N");
        context.TraceIdentifier = id;
        context.Request.Headers[HeaderName] = id;
        // Written as the headers go out, replacing any copy a proxied service answered with (one id, one header).
        // A service also names the trace it recorded, so a caller can find it; the gateway leaves that to the service.
        var emitTraceId = configuration.GetValue("Strait:EmitTraceIdHeader", true);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = id;
            if (emitTraceId && Activity.Current is { } activity)
            {
                context.Response.Headers[TraceHeaderName] = activity.TraceId.ToHexString();
            }

            return Task.CompletedTask;
        });
        return next(context);
    }

    public static string? Get(HttpContext context) => context.TraceIdentifier;

    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/');
}
