using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Strait.ServiceDefaults.Http;

/// <summary>
/// Turns unreadable requests into 4xx error bodies and unexpected failures into a 500 whose message hides internals
/// (the original text goes to the log with the request id).
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var message = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "request body too large"
                : "invalid request body: " + (ex.InnerException?.Message ?? ex.Message);
            await ApiResults.WriteAsync(context, ex.StatusCode, message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            logger.LogError(ex, "Unhandled exception for {Method} {Path} (request {RequestId})",
                context.Request.Method, context.Request.Path, context.TraceIdentifier);
            await ApiResults.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal server error");
        }
    }
}
