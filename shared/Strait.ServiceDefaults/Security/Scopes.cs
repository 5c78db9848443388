namespace Strait.ServiceDefaults.Security;

/// <summary>The permission names an API key can carry (routes.md §1.2). <c>*</c> grants everything.</summary>
public static class Scopes
{
    public const string All = "*";
    public const string JobsRead = "jobs:read";
    public const string JobsWrite = "jobs:write";
    public const string JobsTrigger = "jobs:trigger";
    public const string RunsRead = "runs:read";
    public const string RunsWrite = "runs:write";
    public const string ApiKeysManage = "api-keys:manage";
    public const string ProjectsRead = "projects:read";
    public const string StatsRead = "stats:read";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string WorkersConnect = "workers:connect";
    public const string DlqRead = "dlq:read";
    public const string DlqReplay = "dlq:replay";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        All, JobsRead, JobsWrite, JobsTrigger, RunsRead, RunsWrite, "workflows:read", "workflows:write",
        "workflows:trigger", "secrets:read", "secrets:write", WebhooksRead, WebhooksWrite, ApiKeysManage,
        "rbac:manage", StatsRead, ProjectsRead, "projects:write", "projects:manage", WorkersConnect, DlqRead,
        DlqReplay, "dlq:purge", "outbox:read", "outbox:retry", "outbox:purge",
    };

    /// <summary>An empty scope list means full access (the original's legacy rule); new keys always name at least one scope.</summary>
    public static bool Grants(IReadOnlyCollection<string> held, string required) =>
        held.Count == 0 || held.Contains(All) || held.Contains(required);
}
