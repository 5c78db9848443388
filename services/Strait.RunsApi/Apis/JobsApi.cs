using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Strait.RunsApi.StateMachines;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.Scheduling;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Outbound;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/jobs");
        group.MapPost("/", CreateAsync).RequireScope(Scopes.JobsWrite);
        group.MapGet("/", ListAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/{jobId}", GetAsync).RequireScope(Scopes.JobsRead);
        group.MapPatch("/{jobId}", UpdateAsync).RequireScope(Scopes.JobsWrite);
        group.MapDelete("/{jobId}", DeleteAsync).RequireScope(Scopes.JobsWrite);
        group.MapPost("/{jobId}/pause", PauseAsync).RequireScope(Scopes.JobsWrite);
        group.MapPost("/{jobId}/resume", ResumeAsync).RequireScope(Scopes.JobsWrite);
        group.MapGet("/{jobId}/versions", ListVersionsAsync).RequireScope(Scopes.JobsRead);
        group.MapGet("/{jobId}/versions/{versionId}", GetVersionAsync).RequireScope(Scopes.JobsRead);
        return app;
    }

    private static async Task<IResult> CreateAsync(JobRequest body, Caller caller, RunsDbContext db, TimeProvider time,
        IOptions<OutboundOptions> outbound, CancellationToken ct)
    {
        var (job, error) = await CreateJobAsync(body, caller, db, time, outbound, ct);
        return job is null ? error!.ToResult() : TypedResults.Created($"/v1/jobs/{job.Id}", JobResponse.From(job));
    }

    /// <summary>Why a job could not be created: the status and error body it answers with.</summary>
    internal sealed record CreateError(int Status, string Message, IReadOnlyList<string>? Details = null)
    {
        public IResult ToResult() => ApiResults.Error(Status, Message, Details);
    }

    /// <summary>Validates and saves one new job with its first version (single and batch create).</summary>
    internal static async Task<(Job? Job, CreateError? Error)> CreateJobAsync(JobRequest body, Caller caller, RunsDbContext db, TimeProvider time,
        IOptions<OutboundOptions> outbound, CancellationToken ct)
    {
        var details = JobValidation.ValidateCreate(body, outbound.Value);
        if (details.Count == 0)
        {
            details = await JobValidation.ValidateSchemasAsync(body, ct);
        }

        if (details.Count > 0)
        {
            return (null, new CreateError(StatusCodes.Status400BadRequest, "invalid job", details));
        }

        if (!CallerProject.TryResolve(caller, body.ProjectId, out var projectId, out _))
        {
            return (null, string.IsNullOrEmpty(caller.ProjectId ?? body.ProjectId)
                ? new CreateError(StatusCodes.Status400BadRequest, "project_id is required")
                : new CreateError(StatusCodes.Status403Forbidden, "project_id does not match authenticated project"));
        }

        if (await JobChaining.CheckTargetsAsync(db, projectId, body, ct) is { Count: > 0 } chainErrors)
        {
            return (null, new CreateError(StatusCodes.Status400BadRequest, "invalid job", chainErrors));
        }

        var now = time.GetUtcNow();
        var job = new Job
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = projectId,
            Name = body.Name!,
            Slug = body.Slug!,
            Description = body.Description,
            EndpointUrl = body.EndpointUrl!,
            FallbackEndpointUrl = body.FallbackEndpointUrl,
            SigningSecret = body.WebhookSecret ?? body.EndpointSigningSecret,
            MaxAttempts = body.MaxAttempts ?? 3,
            TimeoutSecs = body.TimeoutSecs ?? 300,
            MaxConcurrency = body.MaxConcurrency ?? 0,
            MaxConcurrencyPerKey = body.MaxConcurrencyPerKey ?? 0,
            RateLimitMax = body.RateLimitMax ?? 0,
            RateLimitWindowSecs = body.RateLimitWindowSecs ?? 0,
            RunTtlSecs = body.RunTtlSecs ?? 0,
            RetryStrategy = body.RetryStrategy,
            RetryDelaysSecs = body.RetryDelaysSecs ?? [],
            Tags = body.Tags ?? [],
            Cron = NullIfEmpty(body.Cron),
            Timezone = NullIfEmpty(body.Timezone),
            CronOverlapPolicy = NullIfEmpty(body.CronOverlapPolicy),
            NextRunAt = CronSchedule.NextRunAt(body.Cron, body.Timezone, now),
            PayloadSchema = JobValidation.SchemaText(body.PayloadSchema),
            ResultSchema = JobValidation.SchemaText(body.ResultSchema),
            DedupWindowSecs = body.DedupWindowSecs ?? 0,
            ExecutionWindowCron = NullIfEmpty(body.ExecutionWindowCron),
            DebounceWindowSecs = body.DebounceWindowSecs ?? 0,
            BatchWindowSecs = body.BatchWindowSecs ?? 0,
            BatchMaxSize = body.BatchMaxSize ?? 0,
            DefaultRunMetadata = body.DefaultRunMetadata ?? [],
            Queue = NullIfEmpty(body.QueueName) ?? JobValidation.DefaultQueue,
            RetryPriorityBoost = PriorityBoost(body.RetryPriorityBoost),
            PoisonPillThreshold = body.PoisonPillThreshold,
            VersionPolicy = NullIfEmpty(body.VersionPolicy) ?? JobValidation.DefaultVersionPolicy,
            ExecutionMode = JobValidation.HttpExecutionMode,
            Enabled = body.Enabled ?? true,
            VersionId = NewVersionId(),
            CreatedBy = caller.Actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        JobChaining.Apply(job, body);
        db.Jobs.Add(job);
        RecordVersion(db, job, now);
        return await SaveNewAsync(db, job, ct);
    }

    /// <summary>Saves a new job (and what was added with it); a taken slug is a 409 and leaves nothing tracked behind.</summary>
    internal static async Task<(Job? Job, CreateError? Error)> SaveNewAsync(RunsDbContext db, Job job, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return (job, null);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return (null, new CreateError(StatusCodes.Status409Conflict, $"a job with slug '{job.Slug}' already exists"));
        }
    }

    private static async Task<IResult> ListAsync(HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        if (!CallerProject.TryResolve(caller, request.Query["project_id"], out var projectId, out var error)
            || !PageRequest.TryParse(request, out var page, out error))
        {
            return error!;
        }

        var query = db.Jobs.AsNoTracking().Where(j => j.ProjectId == projectId);
        var slug = request.Query["slug"].ToString();
        if (slug.Length > 0)
        {
            query = query.Where(j => j.Slug == slug);
        }

        var tagKey = request.Query["tag_key"].ToString();
        var tagValue = request.Query["tag_value"].ToString();
        if (tagValue.Length > 0 && tagKey.Length == 0)
        {
            return ApiResults.BadRequest("tag_value requires tag_key");
        }

        if (tagKey.Length > 0)
        {
            var containment = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [tagKey] = tagValue });
            query = tagValue.Length > 0
                ? query.Where(j => EF.Functions.JsonContains(j.Tags, containment))
                : query.Where(j => EF.Functions.JsonExists(j.Tags, tagKey));
        }

        var rows = await query.NewestFirst(page, j => j.CreatedAt, j => j.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, j => (j.CreatedAt, j.Id), JobResponse.From));
    }

    private static async Task<IResult> GetAsync(string jobId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = Guid.TryParse(jobId, out var id)
            ? await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.ProjectId == caller.ProjectId, ct)
            : null;
        return job is null ? ApiResults.NotFound("job not found") : TypedResults.Ok(JobResponse.From(job));
    }

    public sealed record PauseRequest(string? Reason);

    public sealed record JobVersionResponse(Guid Id, Guid JobId, int Version, string VersionId, JsonElement Definition, DateTimeOffset CreatedAt)
    {
        public static JobVersionResponse From(JobVersion v) => new(v.Id, v.JobId, v.Version, v.VersionId, v.Definition.RootElement, v.CreatedAt);
    }

    private static async Task<IResult> UpdateAsync(string jobId, JsonElement body, Caller caller, RunsDbContext db, TimeProvider time,
        IOptions<JsonOptions> json, IOptions<OutboundOptions> outbound, CancellationToken ct)
    {
        var job = await FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return ApiResults.BadRequest("invalid request body: expected a JSON object");
        }

        JobRequest patch;
        try
        {
            patch = body.Deserialize<JobRequest>(json.Value.SerializerOptions)!;
        }
        catch (JsonException ex)
        {
            return ApiResults.BadRequest("invalid request body: " + ex.Message);
        }

        var present = body.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (present.Contains("endpoint_url") && string.IsNullOrEmpty(patch.EndpointUrl))
        {
            return ApiResults.BadRequest("invalid job", ["endpoint_url: must not be empty"]);
        }

        // Absent fields keep their value; present ones replace it, and an empty string clears an optional one.
        string? Pick(string name, string? patched, string? current) => present.Contains(name) ? NullIfEmpty(patched) : current;
        T Keep<T>(string name, T? patched, T current) where T : struct => present.Contains(name) && patched.HasValue ? patched.Value : current;
        var merged = new JobRequest(
            job.ProjectId,
            present.Contains("name") ? patch.Name : job.Name,
            present.Contains("slug") ? patch.Slug : job.Slug,
            Pick("description", patch.Description, job.Description),
            present.Contains("endpoint_url") ? patch.EndpointUrl : job.EndpointUrl,
            Pick("fallback_endpoint_url", patch.FallbackEndpointUrl, job.FallbackEndpointUrl),
            present.Contains("endpoint_signing_secret") ? NullIfEmpty(patch.EndpointSigningSecret) : null,
            present.Contains("webhook_secret") ? NullIfEmpty(patch.WebhookSecret) : null,
            Keep("max_attempts", patch.MaxAttempts, job.MaxAttempts),
            Keep("timeout_secs", patch.TimeoutSecs, job.TimeoutSecs),
            Keep("max_concurrency", patch.MaxConcurrency, job.MaxConcurrency),
            Keep("max_concurrency_per_key", patch.MaxConcurrencyPerKey, job.MaxConcurrencyPerKey),
            Keep("rate_limit_max", patch.RateLimitMax, job.RateLimitMax),
            Keep("rate_limit_window_secs", patch.RateLimitWindowSecs, job.RateLimitWindowSecs),
            Keep("run_ttl_secs", patch.RunTtlSecs, job.RunTtlSecs),
            Pick("retry_strategy", patch.RetryStrategy, job.RetryStrategy),
            present.Contains("retry_delays_secs") ? patch.RetryDelaysSecs ?? [] : job.RetryDelaysSecs,
            present.Contains("tags") ? patch.Tags ?? [] : job.Tags,
            Keep("enabled", patch.Enabled, job.Enabled),
            Pick("cron", patch.Cron, job.Cron),
            Pick("timezone", patch.Timezone, job.Timezone),
            Pick("cron_overlap_policy", patch.CronOverlapPolicy, job.CronOverlapPolicy),
            present.Contains("payload_schema") ? patch.PayloadSchema : AsElement(job.PayloadSchema),
            present.Contains("result_schema") ? patch.ResultSchema : AsElement(job.ResultSchema),
            Keep("dedup_window_secs", patch.DedupWindowSecs, job.DedupWindowSecs),
            present.Contains("default_run_metadata") ? patch.DefaultRunMetadata ?? [] : job.DefaultRunMetadata,
            Pick("queue_name", patch.QueueName, job.Queue),
            Keep("retry_priority_boost", patch.RetryPriorityBoost, job.RetryPriorityBoost),
            present.Contains("poison_pill_threshold") ? patch.PoisonPillThreshold : job.PoisonPillThreshold,
            Pick("version_policy", patch.VersionPolicy, job.VersionPolicy),
            Pick("execution_mode", patch.ExecutionMode, job.ExecutionMode));
        merged = merged with
        {
            ExecutionWindowCron = Pick("execution_window_cron", patch.ExecutionWindowCron, job.ExecutionWindowCron),
            DebounceWindowSecs = Keep("debounce_window_secs", patch.DebounceWindowSecs, job.DebounceWindowSecs),
            BatchWindowSecs = Keep("batch_window_secs", patch.BatchWindowSecs, job.BatchWindowSecs),
            BatchMaxSize = Keep("batch_max_size", patch.BatchMaxSize, job.BatchMaxSize),
            OnCompleteTriggerJob = Pick("on_complete_trigger_job", patch.OnCompleteTriggerJob, job.OnCompleteTriggerJob?.ToString()),
            OnFailureTriggerJob = Pick("on_failure_trigger_job", patch.OnFailureTriggerJob, job.OnFailureTriggerJob?.ToString()),
            OnCompleteTriggerWorkflow = patch.OnCompleteTriggerWorkflow,
            OnFailureTriggerWorkflow = patch.OnFailureTriggerWorkflow,
            OnCompletePayloadMapping = present.Contains("on_complete_payload_mapping") ? patch.OnCompletePayloadMapping : AsElement(job.OnCompletePayloadMapping),
            OnFailurePayloadMapping = present.Contains("on_failure_payload_mapping") ? patch.OnFailurePayloadMapping : AsElement(job.OnFailurePayloadMapping),
        };
        var errors = JobValidation.ValidateCreate(merged, outbound.Value);
        if (errors.Count == 0)
        {
            errors = await JobValidation.ValidateSchemasAsync(merged, ct);
        }

        if (errors.Count == 0)
        {
            errors = await JobChaining.CheckTargetsAsync(db, job.ProjectId, merged, ct);
        }

        if (errors.Count > 0)
        {
            return ApiResults.BadRequest("invalid job", errors);
        }

        var now = time.GetUtcNow();
        JobChaining.Apply(job, merged);
        job.Name = merged.Name!;
        job.Slug = merged.Slug!;
        job.Description = merged.Description;
        job.EndpointUrl = merged.EndpointUrl!;
        job.FallbackEndpointUrl = merged.FallbackEndpointUrl;
        if (present.Contains("endpoint_signing_secret") || present.Contains("webhook_secret"))
        {
            job.SigningSecret = merged.WebhookSecret ?? merged.EndpointSigningSecret;
        }

        job.MaxAttempts = merged.MaxAttempts!.Value;
        job.TimeoutSecs = merged.TimeoutSecs!.Value;
        job.MaxConcurrency = merged.MaxConcurrency!.Value;
        job.MaxConcurrencyPerKey = merged.MaxConcurrencyPerKey!.Value;
        job.RateLimitMax = merged.RateLimitMax!.Value;
        job.RateLimitWindowSecs = merged.RateLimitWindowSecs!.Value;
        job.RunTtlSecs = merged.RunTtlSecs!.Value;
        job.RetryStrategy = merged.RetryStrategy;
        job.RetryDelaysSecs = merged.RetryDelaysSecs!;
        job.Tags = merged.Tags!;
        job.Enabled = merged.Enabled!.Value;
        job.Cron = merged.Cron;
        job.Timezone = merged.Timezone;
        job.CronOverlapPolicy = merged.CronOverlapPolicy;
        if (present.Overlaps(["cron", "timezone", "enabled"]))
        {
            job.NextRunAt = CronSchedule.NextRunAt(job.Cron, job.Timezone, now);
        }

        job.PayloadSchema = JobValidation.SchemaText(merged.PayloadSchema);
        job.ResultSchema = JobValidation.SchemaText(merged.ResultSchema);
        job.DedupWindowSecs = merged.DedupWindowSecs!.Value;
        job.ExecutionWindowCron = merged.ExecutionWindowCron;
        job.DebounceWindowSecs = merged.DebounceWindowSecs!.Value;
        job.BatchWindowSecs = merged.BatchWindowSecs!.Value;
        job.BatchMaxSize = merged.BatchMaxSize!.Value;
        job.DefaultRunMetadata = merged.DefaultRunMetadata!;
        job.Queue = merged.QueueName ?? JobValidation.DefaultQueue;
        job.RetryPriorityBoost = PriorityBoost(merged.RetryPriorityBoost);
        job.PoisonPillThreshold = merged.PoisonPillThreshold;
        job.VersionPolicy = merged.VersionPolicy ?? JobValidation.DefaultVersionPolicy;
        job.ExecutionMode = merged.ExecutionMode ?? JobValidation.HttpExecutionMode;
        job.Version++;
        job.VersionId = NewVersionId();
        job.UpdatedBy = caller.Actor;
        job.UpdatedAt = now;
        RecordVersion(db, job, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiResults.Conflict("job was modified concurrently -- retry with latest version");
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiResults.Conflict($"a job with slug '{job.Slug}' already exists");
        }

        return TypedResults.Ok(JobResponse.From(job));
    }

    private static async Task<IResult> DeleteAsync(string jobId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = await FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        var terminal = RunStatuses.Terminal.Select(RunStatuses.ToStateName).ToList();
        if (await db.Runs.AnyAsync(r => r.JobId == job.Id && !terminal.Contains(r.CurrentState), ct))
        {
            return ApiResults.Conflict("job has active runs; cancel them first");
        }

        db.Jobs.Remove(job);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> PauseAsync(string jobId, PauseRequest? body, Caller caller, RunsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (body?.Reason is { Length: > 500 })
        {
            return ApiResults.BadRequest("reason must be at most 500 characters");
        }

        var job = await FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        job.Paused = true;
        job.PausedAt = time.GetUtcNow();
        job.PauseReason = NullIfEmpty(body?.Reason);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(JobResponse.From(job));
    }

    private static async Task<IResult> ResumeAsync(string jobId, Caller caller, RunsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var job = await FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        job.Paused = false;
        job.PausedAt = null;
        job.PauseReason = null;
        // Ticks missed while paused are not made up: the schedule continues from now.
        job.NextRunAt = CronSchedule.NextRunAt(job.Cron, job.Timezone, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(JobResponse.From(job));
    }

    private static async Task<IResult> ListVersionsAsync(string jobId, HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = await FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var rows = await db.JobVersions.AsNoTracking().Where(v => v.JobId == job.Id)
            .NewestFirst(page, v => v.CreatedAt, v => v.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, v => (v.CreatedAt, v.Id), JobVersionResponse.From));
    }

    private static async Task<IResult> GetVersionAsync(string jobId, string versionId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = await FindAsync(jobId, caller, db, ct);
        var version = job is null
            ? null
            : await db.JobVersions.AsNoTracking().FirstOrDefaultAsync(v => v.JobId == job.Id && v.VersionId == versionId, ct);
        return version is null ? ApiResults.NotFound("job version not found") : TypedResults.Ok(JobVersionResponse.From(version));
    }

    internal static Task<Job?> FindAsync(string jobId, Caller caller, RunsDbContext db, CancellationToken ct) =>
        Guid.TryParse(jobId, out var id)
            ? db.Jobs.FirstOrDefaultAsync(j => j.Id == id && j.ProjectId == caller.ProjectId, ct)
            : Task.FromResult<Job?>(null);

    internal static void RecordVersion(RunsDbContext db, Job job, DateTimeOffset now) =>
        db.JobVersions.Add(new JobVersion
        {
            Id = Guid.CreateVersion7(now),
            JobId = job.Id,
            ProjectId = job.ProjectId,
            Version = job.Version,
            VersionId = job.VersionId,
            // The definition as the API shows it: the signing secret is never copied into history.
            Definition = JsonSerializer.SerializeToDocument(JobResponse.From(job), VersionJson),
            CreatedAt = now,
        });

    // routes.md §3.1: 0 (or nothing) becomes 1.
    private static int PriorityBoost(int? boost) => boost is null or 0 ? 1 : boost.Value;

    private static JsonElement? AsElement(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static readonly JsonSerializerOptions VersionJson = CreateVersionJson();

    private static JsonSerializerOptions CreateVersionJson()
    {
        var options = new JsonSerializerOptions();
        Strait.ServiceDefaults.Extensions.ConfigureJson(options);
        return options;
    }

    internal static string NewVersionId()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        return "ver_" + RandomNumberGenerator.GetString(alphabet, 12);
    }
}
