using System.Text.Json.Serialization;

namespace Strait.ServiceDefaults.Http;

/// <summary>The error body every Strait service and the gateway answer with (ARCHITECTURE §7).</summary>
public sealed record ApiError
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }

    [JsonPropertyName("code")]
    public required string Code { get; init; }

    [JsonPropertyName("details")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Details { get; init; }

    [JsonPropertyName("request_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RequestId { get; init; }

    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "authentication_required",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        410 => "gone",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "rate_limited",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => status >= 500 ? "internal_error" : "bad_request",
    };
}
