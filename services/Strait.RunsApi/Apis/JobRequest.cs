using System.Text.Json;

namespace Strait.RunsApi.Apis;

/// <summary>The body of <c>POST /v1/jobs</c> (and, with every field optional, of PATCH).</summary>
public sealed partial record JobRequest(
    string? ProjectId,
    string? Name,
    string? Slug,
    string? Description,
    string? EndpointUrl,
    string? FallbackEndpointUrl,
    string? EndpointSigningSecret,
    string? WebhookSecret,
    int? MaxAttempts,
    int? TimeoutSecs,
    int? MaxConcurrency,
    int? MaxConcurrencyPerKey,
    int? RateLimitMax,
    int? RateLimitWindowSecs,
    int? RunTtlSecs,
    string? RetryStrategy,
    List<int>? RetryDelaysSecs,
    Dictionary<string, string>? Tags,
    bool? Enabled,
    string? Cron = null,
    string? Timezone = null,
    string? CronOverlapPolicy = null,
    JsonElement? PayloadSchema = null,
    JsonElement? ResultSchema = null,
    int? DedupWindowSecs = null,
    Dictionary<string, string>? DefaultRunMetadata = null,
    string? QueueName = null,
    int? RetryPriorityBoost = null,
    int? PoisonPillThreshold = null,
    string? VersionPolicy = null,
    string? ExecutionMode = null);
