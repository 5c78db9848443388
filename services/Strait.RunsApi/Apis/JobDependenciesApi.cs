using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Consumers;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>Job dependencies (routes.md §3.1) and a run's view of them (§3.2 <c>dependency-status</c>).</summary>
public static class JobDependenciesApi
{
    public static IEndpointRouteBuilder MapJobDependenciesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/jobs/{jobId}/dependencies", CreateAsync).RequireScope(Scopes.JobsWrite);
        app.MapGet("/v1/jobs/{jobId}/dependencies", ListAsync).RequireScope(Scopes.JobsRead);
        app.MapDelete("/v1/jobs/{jobId}/dependencies/{dependencyId}", DeleteAsync).RequireScope(Scopes.JobsWrite);
        app.MapGet("/v1/runs/{runId}/dependency-status", StatusAsync).RequireScope(Scopes.RunsRead);
        return app;
    }

    public sealed record JobDependencyRequest(string? DependsOnJobId, string? Condition);

    public sealed record JobDependencyResponse(Guid Id, Guid JobId, Guid DependsOnJobId, string Condition, DateTimeOffset CreatedAt)
    {
        public static JobDependencyResponse From(JobDependency d) => new(d.Id, d.JobId, d.DependsOnJobId, d.Condition, d.CreatedAt);
    }

    public sealed record DependencyCheckResponse(
        Guid Id, Guid JobId, Guid DependsOnJobId, string Condition, DateTimeOffset CreatedAt,
        bool Satisfied, Guid? UpstreamRunId, string? UpstreamRunStatus);

    public sealed record DependencyStatusResponse(
        Guid RunId, Guid JobId, string Status, IReadOnlyList<DependencyCheckResponse> Dependencies, bool DependenciesSatisfied);

    private static async Task<IResult> CreateAsync(string jobId, JobDependencyRequest? body, Caller caller, RunsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        if (string.IsNullOrEmpty(body?.DependsOnJobId))
        {
            return ApiResults.BadRequest("depends_on_job_id is required");
        }

        var condition = string.IsNullOrEmpty(body.Condition) ? JobDependency.Completed : body.Condition;
        if (!JobDependency.Conditions.Contains(condition))
        {
            return ApiResults.BadRequest("condition must be one of completed, failed, any");
        }

        if (!Guid.TryParse(body.DependsOnJobId, out var upstreamId))
        {
            return ApiResults.BadRequest("depends_on_job_id is not a job id");
        }

        if (upstreamId == job.Id)
        {
            return ApiResults.BadRequest("a job cannot depend on itself");
        }

        // Another project's job answers as an unknown one: its existence is not revealed.
        if (!await db.Jobs.AnyAsync(j => j.Id == upstreamId && j.ProjectId == job.ProjectId, ct))
        {
            return ApiResults.BadRequest("depends_on_job_id: job not found in this project");
        }

        if (await db.JobDependencies.AnyAsync(d => d.JobId == job.Id && d.DependsOnJobId == upstreamId, ct))
        {
            return ApiResults.Conflict("dependency already exists");
        }

        if (await ReachesAsync(db, job.ProjectId, upstreamId, job.Id, ct))
        {
            return ApiResults.BadRequest("dependency would create a cycle: runs of these jobs would wait for each other forever");
        }

        var now = time.GetUtcNow();
        var dependency = new JobDependency
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = job.ProjectId,
            JobId = job.Id,
            DependsOnJobId = upstreamId,
            Condition = condition,
            CreatedAt = now,
        };
        db.JobDependencies.Add(dependency);
        job.HasDependencies = true;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiResults.Conflict("dependency already exists");
        }

        return TypedResults.Created($"/v1/jobs/{job.Id}/dependencies/{dependency.Id}", JobDependencyResponse.From(dependency));
    }

    private static async Task<IResult> ListAsync(string jobId, HttpRequest request, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        if (job is null)
        {
            return ApiResults.NotFound("job not found");
        }

        if (!PageRequest.TryParse(request, out var page, out var error))
        {
            return error!;
        }

        var rows = await db.JobDependencies.AsNoTracking().Where(d => d.JobId == job.Id)
            .NewestFirst(page, d => d.CreatedAt, d => d.Id).ToListAsync(ct);
        return TypedResults.Ok(page.ToPage(rows, d => (d.CreatedAt, d.Id), JobDependencyResponse.From));
    }

    private static async Task<IResult> DeleteAsync(string jobId, string dependencyId, Caller caller, RunsDbContext db,
        IPublishEndpoint publish, CancellationToken ct)
    {
        var job = await JobsApi.FindAsync(jobId, caller, db, ct);
        var dependency = job is not null && Guid.TryParse(dependencyId, out var id)
            ? await db.JobDependencies.FirstOrDefaultAsync(d => d.Id == id && d.JobId == job.Id, ct)
            : null;
        if (dependency is null)
        {
            return ApiResults.NotFound(job is null ? "job not found" : "dependency not found");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.JobDependencies.Remove(dependency);
        job!.HasDependencies = await db.JobDependencies.AnyAsync(d => d.JobId == job.Id && d.Id != dependency.Id, ct);
        await db.SaveChangesAsync(ct);
        // Runs held back only by the removed dependency (or by it and ones already met) go now.
        foreach (var runId in await Scheduling.DependencyReleaser.ReleasableAsync(db, dependency.JobId, ct))
        {
            await publish.Publish(new RunDependenciesMet { RunId = runId }, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> StatusAsync(string runId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        var run = Guid.TryParse(runId, out var id)
            ? await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.CorrelationId == id && r.ProjectId == caller.ProjectId, ct)
            : null;
        if (run is null)
        {
            return ApiResults.NotFound("run not found");
        }

        var checks = await DependencyGate.CheckAsync(db, run, ct);
        var dependencies = checks.Select(c => new DependencyCheckResponse(
            c.Dependency.Id, c.Dependency.JobId, c.Dependency.DependsOnJobId, c.Dependency.Condition, c.Dependency.CreatedAt,
            c.Satisfied, c.UpstreamRunId, c.UpstreamRunStatus)).ToList();
        return TypedResults.Ok(new DependencyStatusResponse(run.CorrelationId, run.JobId, RunStateMachine.Status(run), dependencies,
            checks.All(c => c.Satisfied)));
    }

    /// <summary>Whether <paramref name="to"/> is reachable from <paramref name="from"/> by following dependencies.</summary>
    private static async Task<bool> ReachesAsync(RunsDbContext db, string projectId, Guid from, Guid to, CancellationToken ct)
    {
        var edges = await db.JobDependencies.AsNoTracking().Where(d => d.ProjectId == projectId)
            .Select(d => new { d.JobId, d.DependsOnJobId }).ToListAsync(ct);
        var next = edges.ToLookup(e => e.JobId, e => e.DependsOnJobId);
        var seen = new HashSet<Guid> { from };
        var frontier = new Queue<Guid>([from]);
        while (frontier.TryDequeue(out var job))
        {
            if (job == to)
            {
                return true;
            }

            foreach (var upstream in next[job].Where(seen.Add))
            {
                frontier.Enqueue(upstream);
            }
        }

        return false;
    }
}
