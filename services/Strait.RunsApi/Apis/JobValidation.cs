using System.Text.Json;
using System.Text.RegularExpressions;
using Strait.RunsApi.Scheduling;
using Strait.ServiceDefaults.Json;
using Strait.ServiceDefaults.Outbound;

namespace Strait.RunsApi.Apis;

/// <summary>The field rules of routes.md §3.1, each failure as <c>"&lt;field&gt;: &lt;rule&gt;"</c>.</summary>
public static partial class JobValidation
{
    public const string DefaultQueue = "default";
    public const string DefaultVersionPolicy = "pin";
    public const string HttpExecutionMode = "http";
    public const int MaxDedupWindowSecs = 2_592_000;
    public const int MaxDefaultRunMetadata = 50;
    public static readonly string[] CronOverlapPolicies = ["allow", "skip", "cancel_running"];
    public static readonly string[] VersionPolicies = ["pin", "latest", "minor"];
    private static readonly string[] RetryStrategies = ["exponential", "linear", "fixed", "custom"];

    public static List<string> ValidateCreate(JobRequest body) => ValidateCreate(body, new OutboundOptions());

    public static List<string> ValidateCreate(JobRequest body, OutboundOptions outbound)
    {
        var errors = new List<string>();
        Required(errors, "name", body.Name, 255);
        Required(errors, "slug", body.Slug, 128);
        if (body.Description is { Length: > 2000 })
        {
            errors.Add("description: must be at most 2000 characters");
        }

        if (string.IsNullOrEmpty(body.EndpointUrl))
        {
            errors.Add("endpoint_url: is required");
        }
        else
        {
            Url(errors, "endpoint_url", body.EndpointUrl, outbound);
        }

        if (!string.IsNullOrEmpty(body.FallbackEndpointUrl))
        {
            Url(errors, "fallback_endpoint_url", body.FallbackEndpointUrl, outbound);
        }

        foreach (var (name, secret) in new[] { ("endpoint_signing_secret", body.EndpointSigningSecret), ("webhook_secret", body.WebhookSecret) })
        {
            if (secret is { Length: < 16 or > 4096 })
            {
                errors.Add($"{name}: must be 16-4096 characters");
            }
        }

        Range(errors, "max_attempts", body.MaxAttempts, 1, 100);
        Range(errors, "timeout_secs", body.TimeoutSecs, 1, 86400);
        Range(errors, "max_concurrency", body.MaxConcurrency, 0, 100_000);
        Range(errors, "max_concurrency_per_key", body.MaxConcurrencyPerKey, 0, 100_000);
        Range(errors, "rate_limit_max", body.RateLimitMax, 0, 1_000_000);
        Range(errors, "rate_limit_window_secs", body.RateLimitWindowSecs, 0, 86400 * 7);
        Range(errors, "run_ttl_secs", body.RunTtlSecs, 0, 2_592_000);
        if (body.RetryStrategy is not null && !RetryStrategies.Contains(body.RetryStrategy))
        {
            errors.Add("retry_strategy: must be one of exponential, linear, fixed, custom");
        }

        if (body.RetryDelaysSecs is { } delays && delays.Any(d => d <= 0))
        {
            errors.Add("retry_delays_secs: every delay must be greater than 0");
        }

        if (body.Tags is { } tags)
        {
            if (tags.Count > 20)
            {
                errors.Add("tags: at most 20 entries");
            }

            errors.AddRange(tags.Where(t => t.Key.Length is 0 or > 64 || t.Value.Length > 256)
                .Select(t => $"tags: key '{t.Key}' must be 1-64 characters and its value at most 256"));
        }

        if (!string.IsNullOrEmpty(body.Cron))
        {
            if (CronSchedule.TryParse(body.Cron, body.Timezone, out var cronError) is null)
            {
                errors.Add(cronError!);
            }
        }
        else if (CronSchedule.TimezoneProblem(body.Timezone, out _) is { } zoneError)
        {
            errors.Add(zoneError);
        }

        if (!string.IsNullOrEmpty(body.CronOverlapPolicy) && !CronOverlapPolicies.Contains(body.CronOverlapPolicy))
        {
            errors.Add("cron_overlap_policy: must be one of allow, skip, cancel_running");
        }

        Range(errors, "dedup_window_secs", body.DedupWindowSecs, 0, MaxDedupWindowSecs);
        ValidateTriggerFields(body, errors);
        JobChaining.Validate(body, errors);
        Range(errors, "retry_priority_boost", body.RetryPriorityBoost, 0, 10);
        if (body.PoisonPillThreshold is < 1)
        {
            errors.Add("poison_pill_threshold: must be at least 1");
        }

        if (!string.IsNullOrEmpty(body.QueueName) && !QueueName().IsMatch(body.QueueName))
        {
            errors.Add("queue_name: must match ^[A-Za-z0-9_-]{1,63}$");
        }

        if (!string.IsNullOrEmpty(body.VersionPolicy) && !VersionPolicies.Contains(body.VersionPolicy))
        {
            errors.Add("version_policy: must be one of pin, latest, minor");
        }

        if (body.ExecutionMode == "worker")
        {
            errors.Add("execution_mode: worker execution mode is not supported");
        }
        else if (!string.IsNullOrEmpty(body.ExecutionMode) && body.ExecutionMode != HttpExecutionMode)
        {
            errors.Add("execution_mode: must be http");
        }

        if (body.DefaultRunMetadata is { } metadata)
        {
            if (metadata.Count > MaxDefaultRunMetadata)
            {
                errors.Add($"default_run_metadata: at most {MaxDefaultRunMetadata} entries");
            }

            errors.AddRange(metadata.Where(m => m.Key.Length is 0 or > 64 || m.Value.Length > 1024)
                .Select(m => $"default_run_metadata: key '{m.Key}' must be 1-64 characters and its value at most 1024"));
        }

        foreach (var (field, schema) in new[] { ("payload_schema", body.PayloadSchema), ("result_schema", body.ResultSchema) })
        {
            if (SchemaText(schema) is null && schema is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } value
                && !(value.ValueKind == JsonValueKind.String && value.GetString() == ""))
            {
                errors.Add($"{field}: must be a JSON Schema (an object or a boolean)");
            }
        }

        return errors;
    }

    /// <summary>The schemas' own check (they must load as JSON Schemas); run after <see cref="ValidateCreate(JobRequest)"/>.</summary>
    public static async Task<List<string>> ValidateSchemasAsync(JobRequest body, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var (field, schema) in new[] { ("payload_schema", SchemaText(body.PayloadSchema)), ("result_schema", SchemaText(body.ResultSchema)) })
        {
            if (schema is not null && await JsonSchemaValidator.SchemaProblemAsync(field, schema, ct) is { } problem)
            {
                errors.Add(problem);
            }
        }

        return errors;
    }

    /// <summary>The schema's JSON text, or null when none is given (absent, null or <c>""</c>) or it is not an object or boolean.</summary>
    public static string? SchemaText(JsonElement? schema) =>
        schema is { ValueKind: JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False } value ? value.GetRawText() : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,63}$")]
    private static partial Regex QueueName();

    private static void Required(List<string> errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: is required");
        }
        else if (value.Length > max)
        {
            errors.Add($"{field}: must be at most {max} characters");
        }
    }

    private static void Range(List<string> errors, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            errors.Add($"{field}: must be between {min} and {max}");
        }
    }

    internal static void Url(List<string> errors, string field, string value, OutboundOptions outbound)
    {
        if (value.Length > 2048
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{field}: must be an absolute http(s) URL of at most 2048 characters");
        }
        else if (OutboundUrlPolicy.Refusal(uri, outbound) is { } refusal)
        {
            errors.Add($"{field}: {refusal}");
        }
    }
}
