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

    private static int? NullIfZero(int value) => value == 0 ? null : value;
}
