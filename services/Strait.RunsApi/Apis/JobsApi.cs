using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;
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
        return app;
    }

    private static async Task<IResult> CreateAsync(JobRequest body, Caller caller, RunsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var details = JobValidation.ValidateCreate(body);
        if (details.Count > 0)
        {
            return ApiResults.BadRequest("invalid job", details);
        }

        if (!CallerProject.TryResolve(caller, body.ProjectId, out var projectId, out var error))
        {
            return error!;
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
            Enabled = body.Enabled ?? true,
            VersionId = NewVersionId(),
            CreatedBy = caller.ApiKeyId is { } keyId ? $"apikey:{keyId}" : "internal",
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Jobs.Add(job);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiResults.Conflict($"a job with slug '{job.Slug}' already exists");
        }

        return TypedResults.Created($"/v1/jobs/{job.Id}", JobResponse.From(job));
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

        if (page.AfterTimestamp is { } after)
        {
            var afterId = page.AfterId ?? Guid.Empty;
            query = query.Where(j => j.CreatedAt < after || (j.CreatedAt == after && j.Id.CompareTo(afterId) < 0));
        }

        var rows = await query.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id).Take(page.Limit + 1).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, j => (j.CreatedAt, j.Id), JobResponse.From));
    }

    private static async Task<IResult> GetAsync(string jobId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = Guid.TryParse(jobId, out var id)
            ? await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.ProjectId == caller.ProjectId, ct)
            : null;
        return job is null ? ApiResults.NotFound("job not found") : TypedResults.Ok(JobResponse.From(job));
    }

    private static string NewVersionId()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        return "ver_" + RandomNumberGenerator.GetString(alphabet, 12);
    }
}
