using System.Text;
using System.Text.Json;

namespace Strait.SdkIngest.Apis;

/// <summary>Field checks for SDK request bodies; each returns the failed fields as <c>field: reason</c> details.</summary>
public static class SdkRequestValidation
{
    public const int MaxJsonBytes = 1024 * 1024;
    public const int MaxStateValueBytes = 64 * 1024;
    public const int MaxAnnotations = 50;
    public const int MaxAnnotationKeyLength = 128;
    public const int MaxAnnotationValueLength = 1024;
    public const int MaxKeyLength = 256;

    public static readonly IReadOnlySet<string> LogLevels = new HashSet<string>(StringComparer.Ordinal) { "debug", "info", "warn", "error" };

    public static bool IsPresent(JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null };

    public static int JsonBytes(JsonElement value) => Encoding.UTF8.GetByteCount(value.GetRawText());

    public static List<string> Log(SdkTelemetryApi.LogRequest body)
    {
        var errors = new List<string>();
        Required(errors, "message", body.Message);
        if (body.Level is not null && !LogLevels.Contains(body.Level))
        {
            errors.Add("level: must be one of debug, info, warn, error");
        }

        if (body.Type is { Length: 0 or > 64 })
        {
            errors.Add("type: must be 1 to 64 characters");
        }

        if (IsPresent(body.Data) && body.Data!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("data: must be an object");
        }

        return errors;
    }

    public static List<string> Progress(SdkTelemetryApi.ProgressRequest body)
    {
        var errors = new List<string>();
        Required(errors, "message", body.Message);
        if (body.Percent is not { } percent)
        {
            errors.Add("percent: is required");
        }
        else
        {
            Range(errors, "percent", percent, 0, 100);
        }

        if (body.EtaSeconds is < 0)
        {
            errors.Add("eta_seconds: must be >= 0");
        }

        return errors;
    }

    public static List<string> Resources(SdkTelemetryApi.ResourcesRequest body)
    {
        var errors = new List<string>();
        if (body.MemoryMb is < 0)
        {
            errors.Add("memory_mb: must be >= 0");
        }

        Range(errors, "memory_percent", body.MemoryPercent ?? 0, 0, 100);
        Range(errors, "cpu_percent", body.CpuPercent ?? 0, 0, 100);
        return errors;
    }

    public static List<string> Usage(SdkTelemetryApi.UsageRequest body)
    {
        var errors = new List<string>();
        Required(errors, "provider", body.Provider, 128);
        Required(errors, "model", body.Model, 256);
        NonNegative(errors, "prompt_tokens", body.PromptTokens);
        NonNegative(errors, "completion_tokens", body.CompletionTokens);
        NonNegative(errors, "total_tokens", body.TotalTokens);
        NonNegative(errors, "cost_microusd", body.CostMicrousd);
        return errors;
    }

    public static List<string> ToolCall(SdkTelemetryApi.ToolCallRequest body)
    {
        var errors = new List<string>();
        Required(errors, "tool_name", body.ToolName, MaxKeyLength);
        NonNegative(errors, "duration_ms", body.DurationMs);
        if (body.Status is { Length: 0 or > 64 })
        {
            errors.Add("status: must be 1 to 64 characters");
        }

        return errors;
    }

    /// <summary>Annotation map rules: 1–50 entries per call, keys non-blank ≤128, values ≤1024.</summary>
    public static List<string> Annotations(IReadOnlyDictionary<string, string>? annotations)
    {
        var errors = new List<string>();
        if (annotations is null || annotations.Count == 0)
        {
            errors.Add("annotations: at least one entry is required");
            return errors;
        }

        if (annotations.Count > MaxAnnotations)
        {
            errors.Add($"annotations: at most {MaxAnnotations} entries per call");
        }

        foreach (var (key, value) in annotations)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxAnnotationKeyLength)
            {
                errors.Add($"annotations: key '{Truncate(key)}' must be non-blank and at most {MaxAnnotationKeyLength} characters");
            }

            if (value is null || value.Length > MaxAnnotationValueLength)
            {
                errors.Add($"annotations.{Truncate(key)}: value must be a string of at most {MaxAnnotationValueLength} characters");
            }
        }

        return errors;
    }

    public static void Required(List<string> errors, string field, string? value, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: is required");
        }
        else if (value.Length > maxLength)
        {
            errors.Add($"{field}: must be at most {maxLength} characters");
        }
    }

    private static void Range(List<string> errors, string field, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            errors.Add($"{field}: must be between {min} and {max}");
        }
    }

    private static void NonNegative(List<string> errors, string field, long? value)
    {
        if (value is < 0)
        {
            errors.Add($"{field}: must be >= 0");
        }
    }

    private static string Truncate(string? key) => key is { Length: > 32 } ? key[..32] + "…" : key ?? "";
}
