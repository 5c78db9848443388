using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strait.ServiceDefaults.Http;

/// <summary>Builds and writes <see cref="ApiError"/> responses.</summary>
public static class ApiResults
{
    public static IResult Error(int status, string message, IReadOnlyList<string>? details = null, string? code = null) =>
        new ApiErrorResult(status, message, code ?? ApiError.CodeFor(status), details);

    public static IResult BadRequest(string message, IReadOnlyList<string>? details = null) => Error(400, message, details);

    public static IResult NotFound(string message = "not found") => Error(404, message);

    public static IResult Conflict(string message) => Error(409, message);

    public static IResult Forbidden(string message) => Error(403, message);

    public static IResult Validation(IReadOnlyList<string> details) => Error(422, "validation failed", details);

    public static Task WriteAsync(HttpContext context, int status, string message, IReadOnlyList<string>? details = null, string? code = null)
    {
        var body = new ApiError
        {
            Error = message,
            Code = code ?? ApiError.CodeFor(status),
            Details = details is { Count: > 0 } ? details : null,
            RequestId = RequestIdMiddleware.Get(context),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, ApiErrorJsonContext.Default.ApiError, context.RequestAborted);
    }

    private sealed class ApiErrorResult(int status, string message, string code, IReadOnlyList<string>? details) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, status, message, details, code);
    }
}
