using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using Strait.Dispatcher.Delivery;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Apis;

/// <summary>
/// A signed test request to an endpoint, for runs-api's <c>POST /v1/jobs/{id}/endpoint/verify</c>: the dispatcher owns
/// outbound calls, so the check goes through the same SSRF-guarded client (and the same signature) as a dispatch.
/// </summary>
public static class EndpointChecksApi
{
    public const string VerifyHeader = "X-Strait-Verify";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapEndpointChecksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/internal/v1/endpoint-checks", CheckAsync).RequireInternalCaller();
        return app;
    }

    public sealed record EndpointCheckRequest(string? EndpointUrl, string? SigningSecret);

    public sealed record EndpointCheckResponse(
        bool Success,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? StatusCode,
        long LatencyMs,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

    private static async Task<IResult> CheckAsync(EndpointCheckRequest? body, EndpointHttpClient http, TimeProvider time, CancellationToken ct)
    {
        if (!Uri.TryCreate(body?.EndpointUrl, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            return ApiResults.BadRequest("endpoint_url must be an absolute http or https URL");
        }

        var payload = """{"type":"strait.endpoint_verify"}"""u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(VerifyHeader, "1");
        if (!string.IsNullOrEmpty(body!.SigningSecret))
        {
            RequestSignature.Sign(request, body.SigningSecret, payload, time.GetUtcNow());
        }

        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var success = status is >= 200 and < 300;
            return TypedResults.Ok(new EndpointCheckResponse(success, status, Elapsed(time, started), success ? null : $"endpoint returned {status}"));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return TypedResults.Ok(new EndpointCheckResponse(false, null, Elapsed(time, started), $"endpoint timed out after {Timeout.TotalSeconds:0}s"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
        {
            var (_, _, error) = EndpointDeliverer.ClassifyException(ex);
            return TypedResults.Ok(new EndpointCheckResponse(false, null, Elapsed(time, started), error));
        }
    }

    private static long Elapsed(TimeProvider time, long started) => (long)Math.Ceiling(time.GetElapsedTime(started).TotalMilliseconds);
}
