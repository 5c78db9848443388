using Strait.RunsApi.Apis;

namespace Strait.RunsApi.Data;

/// <summary>A job: an HTTP endpoint the customer owns, with the rules its runs follow.</summary>
public sealed partial class Job
{
    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; set; }
    public required string Slug { get; set; }
    public string? Description { get; set; }
    public required string EndpointUrl { get; set; }
    public string? FallbackEndpointUrl { get; set; }
    public string? SigningSecret { get; set; }
    public int MaxAttempts { get; set; } = 3;
    public int TimeoutSecs { get; set; } = 300;
    public int MaxConcurrency { get; set; }
    public int MaxConcurrencyPerKey { get; set; }
    public int RateLimitMax { get; set; }
    public int RateLimitWindowSecs { get; set; }
    public int RunTtlSecs { get; set; }
    public string? RetryStrategy { get; set; }
    public List<int> RetryDelaysSecs { get; set; } = [];
    public Dictionary<string, string> Tags { get; set; } = [];
    public string? Cron { get; set; }
    public string? Timezone { get; set; }
    public string? CronOverlapPolicy { get; set; }

    /// <summary>When the cron scheduler fires this job next; null when the job has no cron.</summary>
    public DateTimeOffset? NextRunAt { get; set; }

    /// <summary>JSON Schema text the trigger payloads must match.</summary>
    public string? PayloadSchema { get; set; }

    /// <summary>JSON Schema text the results sent to <c>/complete</c> must match.</summary>
    public string? ResultSchema { get; set; }

    public int DedupWindowSecs { get; set; }
    public Dictionary<string, string> DefaultRunMetadata { get; set; } = [];
    public string Queue { get; set; } = JobValidation.DefaultQueue;
    public int RetryPriorityBoost { get; set; } = 1;
    public int? PoisonPillThreshold { get; set; }
    public string VersionPolicy { get; set; } = JobValidation.DefaultVersionPolicy;
    public string ExecutionMode { get; set; } = JobValidation.HttpExecutionMode;
    public bool Enabled { get; set; } = true;
    public bool Paused { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public string? PauseReason { get; set; }
    public int Version { get; set; } = 1;
    public required string VersionId { get; set; }
    public string? CreatedBy { get; init; }
    public string? UpdatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}
