using Microsoft.AspNetCore.Http;

namespace Strait.ServiceDefaults.Http;

/// <summary>
/// Gives every request an id: the caller's <c>X-Request-Id</c> when it is sane, else a new one. The id is echoed on the
/// response, put in error bodies and logs, and (at the gateway) forwarded so one id follows a call through every service.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";
    private const int MaxLength = 128;

    public Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName].ToString();
        var id = IsAcceptable(incoming) ? incoming : Guid.CreateVersion7().ToString("N");
        context.TraceIdentifier = id;
        context.Request.Headers[HeaderName] = id;
        // Written as the headers go out, replacing any copy a proxied service answered with (one id, one header).
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = id;
            return Task.CompletedTask;
        });
        return next(context);
    }

    public static string? Get(HttpContext context) => context.TraceIdentifier;

    private static bool IsAcceptable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/');
}
