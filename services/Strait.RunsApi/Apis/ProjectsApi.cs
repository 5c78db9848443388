using System.Text.RegularExpressions;
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
        return app;
    }

    public sealed record CreateProjectRequest(string? Id, string? OrgId, string? Name);

    public sealed record ProjectResponse(string Id, string OrgId, string Name, DateTimeOffset CreatedAt)
    {
        public static ProjectResponse From(Project p) => new(p.Id, p.OrgId, p.Name, p.CreatedAt);
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

        if (details.Count > 0)
        {
            return ApiResults.Validation(details);
        }

        if (await db.Projects.AnyAsync(p => p.Id == body.Id, ct))
        {
            return ApiResults.Conflict("project already exists");
        }

        var project = new Project { Id = body.Id!, OrgId = body.OrgId!, Name = body.Name!.Trim(), CreatedAt = time.GetUtcNow() };
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
            .Select(p => new ProjectResponse(p.Id, p.OrgId, p.Name, p.CreatedAt)).ToListAsync(ct));

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

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProjectIdPattern();
}
