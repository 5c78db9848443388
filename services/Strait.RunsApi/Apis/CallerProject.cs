using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

/// <summary>Resolves the project a request acts on: always the caller's own; a different explicit one is refused.</summary>
public static class CallerProject
{
    public static bool TryResolve(Caller caller, string? requested, out string projectId, out IResult? error)
    {
        error = null;
        projectId = caller.ProjectId ?? requested ?? "";
        if (projectId.Length == 0)
        {
            error = ApiResults.BadRequest("project_id is required");
            return false;
        }

        if (!string.IsNullOrEmpty(requested) && requested != projectId)
        {
            error = ApiResults.Forbidden("project_id does not match authenticated project");
            return false;
        }

        return true;
    }
}
