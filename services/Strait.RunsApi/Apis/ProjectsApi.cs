using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

public static partial class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/projects");
        // Creating and listing projects is an operator action (internal secret), as in the original.
        group.MapPost("/", CreateAsync).RequireInternalCaller();
        group.MapGet("/", ListAsync).RequireInternalCaller();
        group.MapGet("/{projectId}", GetAsync).RequireAuthorization();
        // Quotas are an operator setting too: a project's own keys cannot lift them.
        group.MapPatch("/{projectId}", UpdateAsync).RequireInternalCaller();
        return app;
    }

    public sealed record CreateProjectRequest(string? Id, string? OrgId, string? Name, int? MaxQueuedRuns = null, int? MaxExecutingRuns = null);

    public sealed record ProjectResponse(string Id, string OrgId, string Name, DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxQueuedRuns = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxExecutingRuns = null)
    {
        public static ProjectResponse From(Project p) => new(p.Id, p.OrgId, p.Name, p.CreatedAt, p.MaxQueuedRuns, p.MaxExecutingRuns);
    }

    private static async Task<IResult> CreateAsync(CreateProjectRequest body, RunsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var details = new List<string>();
        if (string.IsNullOrEmpty(body.Id) || !ProjectIdPattern().IsMatch(body.Id))
        {
            details.Add("id: must be 1-64 characters of letters, digits, '-' or '_'");
        }

        if (string.IsNullOrWhiteSpace(body.OrgId) || body.OrgId.Length > 64)
        {
            details.Add("org_id: failed on 'required'");
        }

        if (body.Name is null || body.Name.Trim().Length < 2 || body.Name.Length > 255)
        {
            details.Add("name: must be 2-255 characters");
        }

        ValidateQuotas(details, body.MaxQueuedRuns, body.MaxExecutingRuns);
        if (details.Count > 0)
        {
            return ApiResults.Validation(details);
        }

        if (await db.Projects.AnyAsync(p => p.Id == body.Id, ct))
        {
            return ApiResults.Conflict("project already exists");
        }

        var project = new Project
        {
            Id = body.Id!,
            OrgId = body.OrgId!,
            Name = body.Name!.Trim(),
            CreatedAt = time.GetUtcNow(),
            MaxQueuedRuns = NullIfZero(body.MaxQueuedRuns),
            MaxExecutingRuns = NullIfZero(body.MaxExecutingRuns),
        };
        db.Projects.Add(project);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiResults.Conflict("project already exists");
        }

        return TypedResults.Created($"/v1/projects/{project.Id}", ProjectResponse.From(project));
    }

    private static async Task<IResult> ListAsync(RunsDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Projects.AsNoTracking().OrderByDescending(p => p.CreatedAt)
            .Select(p => new ProjectResponse(p.Id, p.OrgId, p.Name, p.CreatedAt, p.MaxQueuedRuns, p.MaxExecutingRuns)).ToListAsync(ct));

    private static async Task<IResult> GetAsync(string projectId, Caller caller, RunsDbContext db, CancellationToken ct)
    {
        // A key only ever sees its own project: another project's id is "not found", whether it exists or not.
        if (!caller.IsInternal && caller.ProjectId != projectId)
        {
            return ApiResults.NotFound("project not found");
        }

        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        return project is null ? ApiResults.NotFound("project not found") : TypedResults.Ok(ProjectResponse.From(project));
    }

    /// <summary>
    /// <c>PATCH /v1/projects/{id}</c>: the name and the run quotas (semantics §6.3). Absent fields stay; a quota of 0 or
    /// null removes it.
    /// </summary>
    private static async Task<IResult> UpdateAsync(string projectId, JsonElement body, RunsDbContext db, ProjectQuotas quotas,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ApiResults.BadRequest("invalid request body: expected a JSON object");
        }

        UpdateProjectRequest patch;
        try
        {
            patch = body.Deserialize<UpdateProjectRequest>(json.Value.SerializerOptions)!;
        }
        catch (JsonException ex)
        {
            return ApiResults.BadRequest("invalid request body: " + ex.Message);
        }

        var present = body.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var details = new List<string>();
        if (present.Contains("name") && (patch.Name is null || patch.Name.Trim().Length < 2 || patch.Name.Length > 255))
        {
            details.Add("name: must be 2-255 characters");
        }

        ValidateQuotas(details, patch.MaxQueuedRuns, patch.MaxExecutingRuns);
        if (details.Count > 0)
        {
            return ApiResults.BadRequest("invalid project", details);
        }

        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return ApiResults.NotFound("project not found");
        }

        if (present.Contains("name"))
        {
            project.Name = patch.Name!.Trim();
        }

        if (present.Contains("max_queued_runs"))
        {
            project.MaxQueuedRuns = NullIfZero(patch.MaxQueuedRuns);
        }

        if (present.Contains("max_executing_runs"))
        {
            project.MaxExecutingRuns = NullIfZero(patch.MaxExecutingRuns);
        }

        await db.SaveChangesAsync(ct);
        quotas.Forget(projectId);
        return TypedResults.Ok(ProjectResponse.From(project));
    }

    public sealed record UpdateProjectRequest(string? Name, int? MaxQueuedRuns, int? MaxExecutingRuns);

    private static void ValidateQuotas(List<string> details, int? maxQueued, int? maxExecuting)
    {
        foreach (var (field, value) in new[] { ("max_queued_runs", maxQueued), ("max_executing_runs", maxExecuting) })
        {
            if (value is < 0 or > 10_000_000)
            {
                details.Add($"{field}: must be between 0 and 10000000");
            }
        }
    }

    private static int? NullIfZero(int? value) => value is null or 0 ? null : value;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProjectIdPattern();
}
