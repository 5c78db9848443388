using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.RunsApi.Clients;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Outbound;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>The other job routes of routes.md §3.1: clone, batch create / enable / disable, health and the endpoint.</summary>
public static class JobActionsApi
{
    public const int MaxBatchJobs = 50;

    public static IEndpointRouteBuilder MapJobActionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/jobs");
        group.MapPost("/batch", BatchCreateAsync).RequireScope(Scopes.JobsWrite);
        group.MapPost("/batch-enable", (JobIdsRequest? body, Caller caller, RunsDbContext db, JobCache jobs, TimeProvider time,
            CancellationToken ct) => SetEnabledAsync(body, true, caller, db, jobs, time, ct)).RequireScope(Scopes.JobsWrite);
        group.MapPost("/batch-disable", (JobIdsRequest? body, Caller caller, RunsDbContext db, JobCache jobs, TimeProvider time,
            CancellationToken ct) => SetEnabledAsync(body, false, caller, db, jobs, time, ct)).RequireScope(Scopes.JobsWrite);
        group.MapPost("/{jobId}/clone", CloneAsync).RequireScope(Scopes.JobsWrite);
        group.MapGet("/{jobId}/health", HealthAsync).RequireScope(Scopes.JobsRead);
        group.MapPost("/{jobId}/endpoint", SetEndpointAsync).RequireScope(Scopes.JobsWrite);
        group.MapPost("/{jobId}/endpoint/verify", VerifyEndpointAsync).RequireScope(Scopes.JobsWrite);
        return app;
    }

    public sealed record BatchCreateRequest(List<JobRequest>? Jobs);

    public sealed record BatchItemError(int Index, string Message);

    public sealed record BatchCreateResponse(IReadOnlyList<JobResponse> Created,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        IReadOnlyList<BatchItemError>? Errors);

    public sealed record JobIdsRequest(List<string>? Ids);

    public sealed record UpdatedResponse(int Updated);

    public sealed record CloneRequest(string? Name, string? Slug);

    public sealed record EndpointRequest(string? EndpointUrl, string? FallbackEndpointUrl, bool? RotateSigningSecret);

    public sealed record EndpointResponse(JobResponse Job,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        string? SigningSecret);

    // Each item goes through the single create path and is saved on its own: one bad item does not sink the others.
    private static async Task<IResult> BatchCreateAsync(BatchCreateRequest? body, Caller caller, RunsDbContext db, TimeProvider time,
        IOptions<OutboundOptions> outbound, CancellationToken ct)
    {
        if (body?.Jobs is not { Count: > 0 } items)
        {
            return ApiResults.Validation(["jobs: failed on 'min'"]);
        }

        if (items.Count > MaxBatchJobs)
        {
            return ApiResults.BadRequest($"at most {MaxBatchJobs} jobs per batch");
        }

        var created = new List<JobResponse>(items.Count);
        var errors = new List<BatchItemError>();
        for (var i = 0; i < items.Count; i++)
        {
            var (job, error) = await JobsApi.CreateJobAsync(items[i], caller, db, time, outbound, ct);
            if (job is null)
            {
                var details = error!.Details is { Count: > 0 } d ? ": " + string.Join("; ", d) : "";
                errors.Add(new BatchItemError(i, error.Message + details));
            }
            else
            {
                created.Add(JobResponse.From(job));
            }
        }

        var response = new BatchCreateResponse(created, errors.Count > 0 ? errors : null);
        return created.Count == 0
            ? TypedResults.BadRequest(response)
            : TypedResults.Created("/v1/jobs", response);
    }

    private static async Task<IResult> SetEnabledAsync(JobIdsRequest? body, bool enabled, Caller caller, RunsDbContext db, JobCache jobs,
        TimeProvider time, CancellationToken ct)
    {
        if (body?.Ids is not { Count: > 0 } ids)
        {
            return ApiResults.Validation(["ids: failed on 'min'"]);
        }

        if (ids.Count > MaxBatchJobs)
        {
            return ApiResults.BadRequest($"at most {MaxBatchJobs} ids per request");
        }

        var keys = ids.Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().ToList();
        var now = time.GetUtcNow();
        var updated = await db.Jobs.Where(j => keys.Contains(j.Id) && j.ProjectId == caller.ProjectId)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Enabled, enabled).SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.UpdatedBy, caller.Actor), ct);
        jobs.Forget(keys);
        return TypedResults.Ok(new UpdatedResponse(updated));
    }

    private static async Task<IResult> CloneAsync(string jobId, CloneRequest? body, Caller caller, RunsDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(body?.Name) || body.Name.Length > 255)
        {
            errors.Add("name: is required, at most 255 characters");
        }

        if (string.IsNullOrWhiteSpace(body?.Slug) || body.Slug.Length > 128)
        {
            errors.Add("slug: is required, at most 128 characters");
        }

        if (errors.Count > 0)
        {
            return ApiResults.BadRequest("name and slug are required", errors);
        }

        var source = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (source is null)
        {
            return ApiResults.NotFound("job not found");
        }

        // Every setting of the source is copied, whatever fields a job has; only identity, history and pause state are new.
        var now = time.GetUtcNow();
        var values = db.Entry(source).CurrentValues.Clone();
        values[nameof(Job.Id)] = Guid.CreateVersion7(now);
        values[nameof(Job.Name)] = body!.Name;
        values[nameof(Job.Slug)] = body.Slug;
        values[nameof(Job.Version)] = 1;
        values[nameof(Job.VersionId)] = JobsApi.NewVersionId();
        values[nameof(Job.Paused)] = false;
        values[nameof(Job.PausedAt)] = null;
        values[nameof(Job.PauseReason)] = null;
        values[nameof(Job.CreatedBy)] = caller.Actor;
        values[nameof(Job.UpdatedBy)] = null;
        values[nameof(Job.CreatedAt)] = now;
        values[nameof(Job.UpdatedAt)] = now;
        values[nameof(Job.Tags)] = new Dictionary<string, string>(source.Tags);
        values[nameof(Job.RetryDelaysSecs)] = new List<int>(source.RetryDelaysSecs);
        var clone = (Job)values.ToObject();
        db.Entry(source).State = EntityState.Detached;
        db.Jobs.Add(clone);
        JobsApi.RecordVersion(db, clone, now);
        var (job, error) = await JobsApi.SaveNewAsync(db, clone, ct);
        return job is null ? error!.ToResult() : TypedResults.Created($"/v1/jobs/{job.Id}", JobResponse.From(job));
    }

    private static async Task<IResult> HealthAsync(string jobId, HttpRequest request, Caller caller, RunsDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        var window = request.Query["window"].ToString();
        window = window.Length == 0 ? JobHealth.DefaultWindow : window;
        if (!JobHealth.Windows.TryGetValue(window, out var span))
        {
            return ApiResults.BadRequest("window must be one of 1h, 1d, 7d, 30d");
        }

        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        var since = time.GetUtcNow() - span;
        var counts = await db.Runs.AsNoTracking().Where(r => r.JobId == job.Id && r.CreatedAt >= since)
            .GroupBy(r => r.CurrentState).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(ct);
        // avg, p95, p99 of (finished_at - started_at) in seconds; 0 when no run has both.
        var durations = await db.Database.SqlQuery<double[]>($"""
            SELECT ARRAY[COALESCE(avg(d), 0), COALESCE(percentile_cont(0.95) WITHIN GROUP (ORDER BY d), 0),
                         COALESCE(percentile_cont(0.99) WITHIN GROUP (ORDER BY d), 0)] AS "Value"
            FROM (SELECT extract(epoch FROM finished_at - started_at)::double precision AS d FROM runs.runs
                  WHERE job_id = {job.Id} AND created_at >= {since} AND started_at IS NOT NULL AND finished_at IS NOT NULL) AS finished
            """).SingleAsync(ct);
        return TypedResults.Ok(JobHealth.Compute(job.Id, window, since,
            counts.ToDictionary(c => RunStatuses.FromStateName(c.State), c => c.Count), durations[0], durations[1], durations[2]));
    }

    // Runs already triggered keep the endpoint and secret they were created with (the version is pinned).
    private static async Task<IResult> SetEndpointAsync(string jobId, EndpointRequest? body, Caller caller, RunsDbContext db, TimeProvider time,
        IOptions<OutboundOptions> outbound, CancellationToken ct)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(body?.EndpointUrl))
        {
            errors.Add("endpoint_url: is required");
        }
        else
        {
            JobValidation.Url(errors, "endpoint_url", body.EndpointUrl, outbound.Value);
        }

        if (!string.IsNullOrEmpty(body?.FallbackEndpointUrl))
        {
            JobValidation.Url(errors, "fallback_endpoint_url", body.FallbackEndpointUrl, outbound.Value);
        }

        if (errors.Count > 0)
        {
            return ApiResults.BadRequest("invalid endpoint", errors);
        }

        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        var now = time.GetUtcNow();
        job.EndpointUrl = body!.EndpointUrl!;
        job.FallbackEndpointUrl = string.IsNullOrEmpty(body.FallbackEndpointUrl) ? null : body.FallbackEndpointUrl;
        string? secret = null;
        if (body.RotateSigningSecret == true)
        {
            secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            job.SigningSecret = secret;
        }

        job.Version++;
        job.VersionId = JobsApi.NewVersionId();
        job.UpdatedBy = caller.Actor;
        job.UpdatedAt = now;
        JobsApi.RecordVersion(db, job, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiResults.Conflict("job was modified concurrently -- retry with latest version");
        }

        return TypedResults.Ok(new EndpointResponse(JobResponse.From(job), secret));
    }

    /// <summary>A signed test request to the job's endpoint, sent by the dispatcher (which owns outbound calls).</summary>
    private static async Task<IResult> VerifyEndpointAsync(string jobId, Caller caller, RunsDbContext db, DispatcherClient dispatcher,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        if (string.IsNullOrWhiteSpace(job.EndpointUrl))
        {
            return ApiResults.BadRequest("job has no endpoint configured");
        }

        try
        {
            return TypedResults.Ok(await dispatcher.CheckEndpointAsync(job.EndpointUrl, job.SigningSecret, ct));
        }
        catch (HttpRequestException ex)
        {
            loggers.CreateLogger(typeof(JobActionsApi)).LogWarning(ex, "Endpoint verification of job {JobId} could not reach the dispatcher", job.Id);
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "endpoint verification unavailable: dispatcher unreachable");
        }
    }
}
