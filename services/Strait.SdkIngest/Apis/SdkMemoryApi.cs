using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// Job-scoped persistent memory, <c>/memory</c> and <c>/memory/{key}</c>: a key/value store shared by every run of the
/// run's job, reached with any of its runs' tokens while that run is active. Keys ≤256 characters, values within the
/// per-key and per-job quotas of <see cref="SdkMemoryOptions"/> (400 beyond them, nothing changed), optional
/// <c>ttl_secs</c> after which the key is gone.
/// </summary>
public static class SdkMemoryApi
{
    public static RouteGroupBuilder MapSdkMemoryApi(this RouteGroupBuilder group)
    {
        group.MapPost("/memory/{key}", SetAsync);
        group.MapGet("/memory", ListAsync);
        group.MapGet("/memory/{key}", GetAsync);
        group.MapDelete("/memory/{key}", DeleteAsync);
        return group;
    }

    public sealed record MemoryRequest(JsonElement? Value, long? TtlSecs);

    public sealed record JobMemoryResponse(
        Guid Id,
        Guid JobId,
        string ProjectId,
        string MemoryKey,
        JsonElement Value,
        int SizeBytes,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? TtlExpiresAt,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt)
    {
        public static JobMemoryResponse From(JobMemory m) =>
            new(m.Id, m.JobId, m.ProjectId, m.MemoryKey, m.Value.RootElement, m.SizeBytes, m.TtlExpiresAt, m.CreatedAt, m.UpdatedAt);
    }

    /// <summary>Null when the key is acceptable, else the 400 message.</summary>
    public static string? CheckKey(string key) =>
        string.IsNullOrWhiteSpace(key) || key.Length > SdkRequestValidation.MaxKeyLength
            ? $"memory key must be 1 to {SdkRequestValidation.MaxKeyLength} characters"
            : null;

    /// <summary>The quota a write breaks, or null: <paramref name="size"/> is the new value's, <paramref name="othersLive"/> the job's other live keys'.</summary>
    public static string? CheckQuota(SdkMemoryOptions options, long size, long othersLive) =>
        size > options.MaxValueBytes ? $"memory value exceeds the per-key quota of {options.MaxValueBytes} bytes"
        : othersLive + size > options.MaxJobBytes ? $"job memory quota of {options.MaxJobBytes} bytes exceeded"
        : null;

    private static async Task<IResult> SetAsync(Guid runId, string key, MemoryRequest? body, HttpContext http, IngestDbContext db,
        IOptions<SdkMemoryOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (CheckKey(key) is { } keyError)
        {
            return ApiResults.BadRequest(keyError);
        }

        var errors = new List<string>();
        if (!SdkRequestValidation.IsPresent(body?.Value))
        {
            errors.Add("value: is required");
        }

        if (body?.TtlSecs is <= 0)
        {
            errors.Add("ttl_secs: must be > 0");
        }

        if (errors.Count > 0)
        {
            return ApiResults.Validation(errors);
        }

        var value = body!.Value!.Value.GetRawText();
        var size = SdkRequestValidation.JsonBytes(body.Value.Value);
        if (CheckQuota(options.Value, size, 0) is { } tooBig)
        {
            return ApiResults.BadRequest(tooBig, [$"size_bytes={size}", $"limit_bytes={options.Value.MaxValueBytes}"]);
        }

        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var expiresAt = body.TtlSecs is { } ttl ? now.AddSeconds(ttl) : (DateTimeOffset?)null;
        var jobId = run!.JobId;
        // One writer per job at a time (advisory lock held to the commit), so two racing writes cannot both fit under the
        // job's quota. Expired keys are cleared on the way: they no longer count.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended('job_memory:' || {jobId}::text, 0))", ct);
        await db.JobMemory.Where(m => m.JobId == jobId && m.TtlExpiresAt != null && m.TtlExpiresAt <= now).ExecuteDeleteAsync(ct);
        var othersLive = await db.JobMemory.Where(m => m.JobId == jobId && m.MemoryKey != key).SumAsync(m => (long)m.SizeBytes, ct);
        if (CheckQuota(options.Value, size, othersLive) is { } overQuota)
        {
            return ApiResults.BadRequest(overQuota, [$"used_bytes={othersLive}", $"size_bytes={size}", $"limit_bytes={options.Value.MaxJobBytes}"]);
        }

        var id = Guid.CreateVersion7(now);
        var rows = await db.JobMemory.FromSql($"""
            INSERT INTO ingest.job_memory (id, job_id, project_id, memory_key, value, size_bytes, ttl_expires_at, created_at, updated_at)
            VALUES ({id}, {jobId}, {run.ProjectId}, {key}, CAST({value} AS jsonb), {size}, {expiresAt}, {now}, {now})
            ON CONFLICT (job_id, memory_key) DO UPDATE SET
                value = excluded.value, size_bytes = excluded.size_bytes, ttl_expires_at = excluded.ttl_expires_at, updated_at = excluded.updated_at
            RETURNING *
            """).AsNoTracking().AsAsyncEnumerable().ToListAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created((string?)null, JobMemoryResponse.From(rows[0]));
    }

    private static async Task<IResult> ListAsync(Guid runId, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var rows = await db.JobMemory.AsNoTracking()
            .Where(m => m.JobId == run!.JobId && (m.TtlExpiresAt == null || m.TtlExpiresAt > now))
            .OrderBy(m => m.MemoryKey).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(JobMemoryResponse.From).ToList());
    }

    private static async Task<IResult> GetAsync(Guid runId, string key, HttpContext http, IngestDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (CheckKey(key) is { } keyError)
        {
            return ApiResults.BadRequest(keyError);
        }

        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = clock.GetUtcNow();
        var row = await db.JobMemory.AsNoTracking()
            .FirstOrDefaultAsync(m => m.JobId == run!.JobId && m.MemoryKey == key && (m.TtlExpiresAt == null || m.TtlExpiresAt > now), ct);
        return row is null ? ApiResults.NotFound("memory key not found") : TypedResults.Ok(JobMemoryResponse.From(row));
    }

    private static async Task<IResult> DeleteAsync(Guid runId, string key, HttpContext http, IngestDbContext db, CancellationToken ct)
    {
        if (CheckKey(key) is { } keyError)
        {
            return ApiResults.BadRequest(keyError);
        }

        var (run, refusal) = await SdkRunGuard.CheckAsync(db, runId, http, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        await db.JobMemory.Where(m => m.JobId == run!.JobId && m.MemoryKey == key).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }
}
