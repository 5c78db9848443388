using System.Text.Json;
using System.Text.Json.Serialization;
using Strait.RunsApi.Data;

namespace Strait.RunsApi.Apis;

/// <summary>The Job object (routes.md §4.1): optional fields are omitted when empty, the signing secret never leaves.</summary>
public sealed record JobResponse
{
    public required Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; init; }
    public required string Slug { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Description { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public required string EndpointUrl { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FallbackEndpointUrl { get; init; }
    public required int MaxAttempts { get; init; }
    public required int TimeoutSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? MaxConcurrency { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? MaxConcurrencyPerKey { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? RateLimitMax { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? RateLimitWindowSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? RunTtlSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RetryStrategy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<int>? RetryDelaysSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Cron { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Timezone { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CronOverlapPolicy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? NextRunAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? PayloadSchema { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? ResultSchema { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? DedupWindowSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ExecutionWindowCron { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? DebounceWindowSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? BatchWindowSecs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? BatchMaxSize { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? OnCompleteTriggerJob { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Guid? OnFailureTriggerJob { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? OnCompletePayloadMapping { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? OnFailurePayloadMapping { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? DefaultRunMetadata { get; init; }
    public required string Queue { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? RetryPriorityBoost { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? PoisonPillThreshold { get; init; }
    public required string VersionPolicy { get; init; }
    public required string ExecutionMode { get; init; }
    public required bool Enabled { get; init; }
    public required bool Paused { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? PausedAt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PauseReason { get; init; }
    public required int Version { get; init; }
    public required string VersionId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CreatedBy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? UpdatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    public static JobResponse From(Job job) => new()
    {
        Id = job.Id,
        ProjectId = job.ProjectId,
        Name = job.Name,
        Slug = job.Slug,
        Description = string.IsNullOrEmpty(job.Description) ? null : job.Description,
        Tags = job.Tags.Count == 0 ? null : job.Tags,
        EndpointUrl = job.EndpointUrl,
        FallbackEndpointUrl = string.IsNullOrEmpty(job.FallbackEndpointUrl) ? null : job.FallbackEndpointUrl,
        MaxAttempts = job.MaxAttempts,
        TimeoutSecs = job.TimeoutSecs,
        MaxConcurrency = NullIfZero(job.MaxConcurrency),
        MaxConcurrencyPerKey = NullIfZero(job.MaxConcurrencyPerKey),
        RateLimitMax = NullIfZero(job.RateLimitMax),
        RateLimitWindowSecs = NullIfZero(job.RateLimitWindowSecs),
        RunTtlSecs = NullIfZero(job.RunTtlSecs),
        RetryStrategy = job.RetryStrategy,
        RetryDelaysSecs = job.RetryDelaysSecs.Count == 0 ? null : job.RetryDelaysSecs,
        Cron = job.Cron,
        Timezone = job.Timezone,
        CronOverlapPolicy = job.CronOverlapPolicy,
        NextRunAt = job.NextRunAt,
        PayloadSchema = Json(job.PayloadSchema),
        ResultSchema = Json(job.ResultSchema),
        DedupWindowSecs = NullIfZero(job.DedupWindowSecs),
        ExecutionWindowCron = job.ExecutionWindowCron,
        DebounceWindowSecs = NullIfZero(job.DebounceWindowSecs),
        BatchWindowSecs = NullIfZero(job.BatchWindowSecs),
        BatchMaxSize = NullIfZero(job.BatchMaxSize),
        OnCompleteTriggerJob = job.OnCompleteTriggerJob,
        OnFailureTriggerJob = job.OnFailureTriggerJob,
        OnCompletePayloadMapping = Json(job.OnCompletePayloadMapping),
        OnFailurePayloadMapping = Json(job.OnFailurePayloadMapping),
        DefaultRunMetadata = job.DefaultRunMetadata.Count == 0 ? null : job.DefaultRunMetadata,
        Queue = job.Queue,
        RetryPriorityBoost = NullIfZero(job.RetryPriorityBoost),
        PoisonPillThreshold = job.PoisonPillThreshold,
        VersionPolicy = job.VersionPolicy,
        ExecutionMode = job.ExecutionMode,
        Enabled = job.Enabled,
        Paused = job.Paused,
        PausedAt = job.PausedAt,
        PauseReason = job.PauseReason,
        Version = job.Version,
        VersionId = job.VersionId,
        CreatedBy = job.CreatedBy,
        UpdatedBy = job.UpdatedBy,
        CreatedAt = job.CreatedAt,
        UpdatedAt = job.UpdatedAt,
    };

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static int? NullIfZero(int value) => value == 0 ? null : value;
}
