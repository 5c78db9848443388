using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>
/// Job dependencies at trigger and at release (semantics.md §9.4). A dependency is satisfied when the latest finished run
/// of the upstream job ended as its condition asks; that run is looked for among the upstream runs with the new run's
/// idempotency key if it has one, else with its <c>dependency_key</c>, else among all of them.
/// </summary>
public static class DependencyGate
{
    public const string DependencyKey = "dependency_key";

    private static readonly List<string> TerminalStates = RunStatuses.Terminal.Select(RunStatuses.ToStateName).ToList();

    private static readonly HashSet<string> FailureStatuses = new(StringComparer.Ordinal)
    {
        RunStatuses.Failed, RunStatuses.TimedOut, RunStatuses.Crashed, RunStatuses.SystemFailed, RunStatuses.Expired, RunStatuses.DeadLetter,
    };

    public sealed record Check(JobDependency Dependency, string? UpstreamRunStatus, Guid? UpstreamRunId, bool Satisfied);

    /// <summary>
    /// A new run: its payload's top-level <c>dependency_key</c> goes into its metadata (upstream runs are found by it), and an
    /// immediate run whose dependencies are not all satisfied is created waiting, without an expiry (it never expires).
    /// </summary>
    public static async Task HoldIfUnmetAsync(RunsDbContext db, RunState run, bool jobHasDependencies, CancellationToken ct)
    {
        if (ReadDependencyKey(run.Payload) is { } key)
        {
            run.Metadata[DependencyKey] = key;
        }

        if (run.CurrentState != nameof(RunStateMachine.Queued) || !jobHasDependencies
            || !await db.JobDependencies.AnyAsync(d => d.JobId == run.JobId, ct))
        {
            return;
        }

        // Taken by the release too: an upstream run that finishes while this trigger commits is seen by one of the two.
        await LockAsync(db, run.JobId, ct);
        if ((await CheckAsync(db, run, ct)).All(c => c.Satisfied))
        {
            return;
        }

        run.CurrentState = nameof(RunStateMachine.Waiting);
        run.WaitReason = RunStateMachine.DependencyWaitReason;
        run.ExpiresAt = null;
    }

    /// <summary>Held until the transaction ends: a trigger and a release of one dependent job take turns.</summary>
    public static Task<int> LockAsync(RunsDbContext db, Guid jobId, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"dependencies/" + jobId.ToString()}, 0))", ct);

    public static async Task<IReadOnlyList<Check>> CheckAsync(RunsDbContext db, RunState run, CancellationToken ct)
    {
        var dependencies = await db.JobDependencies.AsNoTracking().Where(d => d.JobId == run.JobId)
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(ct);
        var checks = new List<Check>(dependencies.Count);
        foreach (var dependency in dependencies)
        {
            var latest = await LatestFinishedAsync(db, dependency.DependsOnJobId, run, ct);
            var status = latest is null ? null : RunStatuses.FromStateName(latest.Value.State);
            checks.Add(new Check(dependency, status, latest?.Id, status is not null && Meets(dependency.Condition, status)));
        }

        return checks;
    }

    public static bool Meets(string condition, string status) => condition switch
    {
        JobDependency.Completed => status == RunStatuses.Completed,
        JobDependency.Failed => FailureStatuses.Contains(status),
        _ => RunStatuses.Terminal.Contains(status),
    };

    private static async Task<(Guid Id, string State)?> LatestFinishedAsync(RunsDbContext db, Guid upstreamJobId, RunState run, CancellationToken ct)
    {
        var runs = db.Runs.AsNoTracking();
        if (run.IdempotencyKey is { } idempotencyKey)
        {
            runs = runs.Where(r => r.IdempotencyKey == idempotencyKey);
        }
        else if (run.Metadata.TryGetValue(DependencyKey, out var dependencyKey))
        {
            runs = db.Runs.FromSql($"SELECT * FROM runs.runs WHERE metadata ->> 'dependency_key' = {dependencyKey}").AsNoTracking();
        }

        var hit = await runs
            .Where(r => r.JobId == upstreamJobId && r.ProjectId == run.ProjectId && r.FinishedAt != null && TerminalStates.Contains(r.CurrentState))
            .OrderByDescending(r => r.FinishedAt).ThenByDescending(r => r.CorrelationId)
            .Select(r => new { r.CorrelationId, r.CurrentState })
            .FirstOrDefaultAsync(ct);
        return hit is null ? null : (hit.CorrelationId, hit.CurrentState);
    }

    private static string? ReadDependencyKey(string payload)
    {
        // Cheap test first: most payloads have no such field and are not parsed again.
        if (!payload.Contains("\"dependency_key\"", StringComparison.Ordinal))
        {
            return null;
        }

        using var document = JsonDocument.Parse(payload);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(DependencyKey, out var key)
            ? key.ValueKind switch
            {
                JsonValueKind.String => key.GetString() is { Length: > 0 and <= 256 } text ? text : null,
                JsonValueKind.Number => key.GetRawText(),
                _ => null,
            }
            : null;
    }
}
