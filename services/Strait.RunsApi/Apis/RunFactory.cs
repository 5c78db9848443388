using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>Builds a new run from its job and a trigger: the job's delivery settings are copied in (the version is pinned).</summary>
public static class RunFactory
{
    public const int MaxPriority = 10;
    public const int MaxTtlSecs = 2_592_000;
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(30);

    // A client clock a little behind ours must not turn "now" into "in the past".
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    public static List<string> Validate(TriggerRequest request, DateTimeOffset now, string prefix = "")
    {
        var errors = new List<string>();
        if (request.Priority is < 0 or > MaxPriority)
        {
            errors.Add($"{prefix}priority: must be between 0 and {MaxPriority}");
        }

        if (request.TtlSecs is < 0 or > MaxTtlSecs)
        {
            errors.Add($"{prefix}ttl_secs: must be between 0 and {MaxTtlSecs}");
        }

        if (request.ConcurrencyKey is { Length: > 256 })
        {
            errors.Add($"{prefix}concurrency_key: must be at most 256 characters");
        }

        if (request.IdempotencyKey is { Length: > 256 })
        {
            errors.Add($"{prefix}idempotency_key: must be at most 256 characters");
        }

        request.ValidateBufferKeys(errors, prefix);
        if (request.ScheduledAt is { } at && (at < now - ClockSkew || at > now + MaxScheduleAhead))
        {
            errors.Add($"{prefix}scheduled_at: must not be in the past nor more than 30 days ahead");
        }

        if (request.Tags is { } tags)
        {
            if (tags.Count > 20)
            {
                errors.Add($"{prefix}tags: at most 20 entries");
            }

            errors.AddRange(tags.Where(t => t.Key.Length is 0 or > 64 || t.Value.Length > 256)
                .Select(t => $"{prefix}tags: key '{t.Key}' must be 1-64 characters and its value at most 256"));
        }

        return errors;
    }

    public static RunState Create(Job job, TriggerRequest request, string payload, string payloadHash, DateTimeOffset now,
        string triggeredBy, string? createdBy, Dictionary<string, string> metadata)
    {
        var delayed = request.ScheduledAt is { } at && at > now;
        var ttl = request.TtlSecs is > 0 ? request.TtlSecs.Value : job.RunTtlSecs;
        var expiryBase = delayed ? request.ScheduledAt!.Value : now;
        var tags = new Dictionary<string, string>(job.Tags);
        foreach (var (key, value) in request.Tags ?? [])
        {
            tags[key] = value;
        }

        // The job's default metadata fills in what the run does not set itself.
        foreach (var (key, value) in job.DefaultRunMetadata)
        {
            metadata.TryAdd(key, value);
        }

        return new RunState
        {
            CorrelationId = Guid.CreateVersion7(now),
            CurrentState = delayed ? nameof(RunStateMachine.Delayed) : nameof(RunStateMachine.Queued),
            JobId = job.Id,
            ProjectId = job.ProjectId,
            Priority = request.Priority ?? 0,
            Payload = payload,
            PayloadHash = payloadHash,
            Tags = tags,
            Metadata = metadata,
            TriggeredBy = triggeredBy,
            IdempotencyKey = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey,
            ConcurrencyKey = string.IsNullOrEmpty(request.ConcurrencyKey) ? null : request.ConcurrencyKey,
            CreatedBy = createdBy,
            JobVersion = job.Version,
            JobVersionId = job.VersionId,
            EndpointUrl = job.EndpointUrl,
            SigningSecret = job.SigningSecret,
            FallbackEndpointUrl = job.FallbackEndpointUrl,
            ChainOnComplete = job.OnCompleteTriggerJob,
            ChainOnFailure = job.OnFailureTriggerJob,
            MaxAttempts = job.MaxAttempts,
            TimeoutSecs = job.TimeoutSecs,
            MaxConcurrency = job.MaxConcurrency,
            MaxConcurrencyPerKey = job.MaxConcurrencyPerKey,
            RateLimitMax = job.RateLimitMax,
            RateLimitWindowSecs = job.RateLimitWindowSecs,
            RetryStrategy = job.RetryStrategy,
            RetryDelaysSecs = [.. job.RetryDelaysSecs],
            ScheduledAt = delayed ? request.ScheduledAt : null,
            // Expiry is opt-in (ttl_secs or the job's run_ttl_secs): a default expiry would kill runs that merely wait
            // for a concurrency slot.
            ExpiresAt = ttl > 0 ? expiryBase.AddSeconds(ttl) : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
