using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Clients;

/// <summary>
/// Fills in the local run copy for a run sdk-ingest has not heard of yet. The copy is fed by the saga's status messages,
/// and job code can call the SDK plane the moment its delivery arrives, possibly before the run's first status message
/// has (a run dispatched at once is first told by its first transition): rather than answer such a call, or a read of
/// the run's telemetry, 404, the copy is seeded from runs-api, which owns the run. A later status message
/// still wins, since the seed carries the time of the run's last known step.
/// </summary>
public sealed class RunCopySeeder(RunsApiClient runs, ILogger<RunCopySeeder> logger)
{
    /// <summary>The local copy, seeded first when there is none yet; null when runs-api knows no such run (or cannot be asked).</summary>
    public async Task<RunStateCopy?> FindAsync(IngestDbContext db, Guid runId, CancellationToken ct) =>
        await db.RunStates.AsNoTracking().FirstOrDefaultAsync(r => r.RunId == runId, ct) ?? await SeedAsync(db, runId, ct);

    /// <summary>Whether <paramref name="caller"/> may read the run: its copy (seeded if need be) is in the caller's project.</summary>
    public async Task<bool> IsVisibleAsync(IngestDbContext db, Guid runId, Caller caller, CancellationToken ct) =>
        await FindAsync(db, runId, ct) is { } run && (caller.IsInternal || run.ProjectId == caller.ProjectId);

    /// <summary>The copy after seeding, or null when runs-api knows no such run (or cannot be asked right now).</summary>
    public async Task<RunStateCopy?> SeedAsync(IngestDbContext db, Guid runId, CancellationToken ct)
    {
        System.Text.Json.JsonElement? run;
        try
        {
            run = await runs.GetRunAsync(runId, ct);
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "runs-api could not be asked about run {RunId}; answering as unknown", runId);
            return null;
        }

        if (run is not { } r)
        {
            return null;
        }

        var projectId = r.GetProperty("project_id").GetString()!;
        var jobId = r.GetProperty("job_id").GetGuid();
        var status = r.GetProperty("status").GetString()!;
        var attempt = r.GetProperty("attempt").GetInt32();
        // No later than the run's last transition, so the status message of that transition (or any later one) wins.
        var changedAt = new[] { "created_at", "started_at", "finished_at" }
            .Select(name => r.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture).ToUniversalTime()
                : DateTimeOffset.MinValue)
            .Max();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ingest.run_states (run_id, project_id, job_id, status, attempt, checkpoint_sequence, changed_at)
            VALUES ({runId}, {projectId}, {jobId}, {status}, {attempt}, 0, {changedAt})
            ON CONFLICT (run_id) DO NOTHING
            """, ct);
        return await db.RunStates.AsNoTracking().FirstOrDefaultAsync(s => s.RunId == runId, ct);
    }
}
