using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.Messaging.Entities;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Json;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Apis;

public static class TriggerApi
{
    public const int MaxBulkItems = 500;
    public const int MaxPayloadBytes = 5 * 1024 * 1024;
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);
    private static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage"];

    public static IEndpointRouteBuilder MapTriggerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/jobs/{jobId}/trigger", TriggerAsync).RequireScope(Scopes.JobsTrigger);
        app.MapPost("/v1/jobs/{jobId}/trigger/bulk", TriggerBulkAsync).RequireScope(Scopes.JobsTrigger);
        return app;
    }

    public sealed record TriggerResponse(Guid Id, string Status, string? PayloadHash, bool IdempotencyHit);

    public sealed record BulkTriggerRequest(List<TriggerRequest>? Items);

    public sealed record BulkTriggerResult(Guid Id, string Status, bool IdempotencyHit);

    public sealed record BulkTriggerResponse(Guid BatchId, IReadOnlyList<BulkTriggerResult> Results, int Total, int Created);

    private static async Task<IResult> TriggerAsync(string jobId, TriggerRequest? body, HttpRequest http, Caller caller,
        RunsDbContext db, JobCache jobs, RunScheduler scheduler, ProjectQuotas quotas, TimeProvider time, CancellationToken ct)
    {
        var request = (body ?? new TriggerRequest(null, null, null, null, null, null, null, null)) with
        {
            IdempotencyKey = IdempotencyKey(http),
        };
        // One transaction from the job lookup to the commit: reads and writes of a trigger cost one commit. A cached job
        // costs no query, so a plain trigger's first statement is its insert (the BEGIN goes with it).
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (job, error) = await FindTriggerableJobAsync(jobId, caller, db, jobs, ct);
        if (job is null)
        {
            return error!;
        }

        var now = time.GetUtcNow();
        var errors = RunFactory.Validate(request, now);
        var payload = CanonicalJson.Canonicalize(request.Payload);
        if (payload.Length > MaxPayloadBytes)
        {
            return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, $"payload exceeds {MaxPayloadBytes} bytes");
        }

        if (errors.Count > 0)
        {
            return ApiResults.BadRequest("invalid trigger", errors);
        }

        if (await PayloadMismatchAsync(job, payload, "payload", ct) is { } mismatch)
        {
            return ApiResults.BadRequest("payload does not match the job's payload_schema", mismatch);
        }

        var hash = CanonicalJson.Hash(payload);
        if (request.DryRun == true)
        {
            var preview = RunFactory.Create(job, request, payload, hash, now, "manual", null, []);
            return TypedResults.Ok(new
            {
                job = new { id = job.Id, name = job.Name, slug = job.Slug, execution_mode = job.ExecutionMode, queue = job.Queue, timeout_secs = job.TimeoutSecs, max_attempts = job.MaxAttempts, version = job.Version, version_id = job.VersionId },
                payload_hash = hash,
                payload = JsonDocument.Parse(payload).RootElement,
                scheduled_at = preview.ScheduledAt,
                expires_at = preview.ExpiresAt,
            });
        }

        var metadata = TraceHeaders.Where(h => http.Headers.ContainsKey(h))
            .ToDictionary(h => h, h => http.Headers[h].ToString(), StringComparer.Ordinal);
        var run = RunFactory.Create(job, request, payload, hash, now, "manual", caller.Actor, metadata);

        if (request.IdempotencyKey is not null)
        {
            // Two triggers with one key race here: the advisory lock makes the second wait and then find the first's run.
            await LockAsync(db, job.Id, request.IdempotencyKey, ct);
            var existing = await FindIdempotentRunAsync(db, job.Id, request.IdempotencyKey, now, ct);
            if (existing is not null)
            {
                return TypedResults.Ok(new TriggerResponse(existing.Value.Id, RunStatuses.FromStateName(existing.Value.State), null, true));
            }
        }

        if (job.DedupWindowSecs > 0)
        {
            // The same payload twice at once: the lock makes the second wait and then find the first's run.
            await LockAsync(db, job.Id, "dedup/" + hash, ct);
            var duplicate = await FindDuplicateRunAsync(db, job, hash, now, ct);
            if (duplicate is not null)
            {
                var (id, state) = duplicate.Value;
                return TypedResults.Created($"/v1/runs/{id}", new TriggerResponse(id, RunStatuses.FromStateName(state), hash, false));
            }
        }

        if (await TriggerIntake.BeforeEnqueueAsync(db, scheduler, quotas, job, request, run, now, ct) is { } answer)
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return answer;
        }

        await scheduler.StartAsync(run, job, ct);
        db.Runs.Add(run);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/v1/runs/{run.CorrelationId}", new TriggerResponse(run.CorrelationId, RunStateMachine.Status(run), hash, false));
    }

    private static async Task<IResult> TriggerBulkAsync(string jobId, BulkTriggerRequest? body, Caller caller, RunsDbContext db, JobCache jobs,
        RunScheduler scheduler, ProjectQuotas quotas, TimeProvider time, CancellationToken ct)
    {
        if (body?.Items is not { Count: > 0 } items)
        {
            return ApiResults.Validation(["items: failed on 'min'"]);
        }

        if (items.Count > MaxBulkItems)
        {
            return ApiResults.BadRequest($"at most {MaxBulkItems} items per bulk trigger");
        }

        var (job, error) = await FindTriggerableJobAsync(jobId, caller, db, jobs, ct);
        if (job is null)
        {
            return error!;
        }

        var now = time.GetUtcNow();
        var errors = items.SelectMany((item, i) => RunFactory.Validate(item, now, $"items[{i}].")).ToList();
        var payloads = items.Select(item => CanonicalJson.Canonicalize(item.Payload)).ToList();
        for (var i = 0; i < items.Count && job.PayloadSchema is not null; i++)
        {
            errors.AddRange(await PayloadMismatchAsync(job, payloads[i], $"items[{i}].payload", ct) ?? []);
        }

        if (errors.Count > 0)
        {
            return ApiResults.BadRequest("invalid bulk trigger", errors);
        }

        var batchId = Guid.CreateVersion7(now);
        var results = new List<BulkTriggerResult>(items.Count);
        var created = 0;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var (item, payload) in items.Zip(payloads))
        {
            if (item.IdempotencyKey is { Length: > 0 } key)
            {
                await LockAsync(db, job.Id, key, ct);
                var existing = await FindIdempotentRunAsync(db, job.Id, key, now, ct)
                    ?? FindPending(db, job.Id, key);
                if (existing is not null)
                {
                    results.Add(new BulkTriggerResult(existing.Value.Id, RunStatuses.FromStateName(existing.Value.State), true));
                    continue;
                }
            }

            var hash = CanonicalJson.Hash(payload);
            if (job.DedupWindowSecs > 0)
            {
                await LockAsync(db, job.Id, "dedup/" + hash, ct);
                var duplicate = await FindDuplicateRunAsync(db, job, hash, now, ct) ?? FindPendingDuplicate(db, job.Id, hash);
                if (duplicate is not null)
                {
                    results.Add(new BulkTriggerResult(duplicate.Value.Id, RunStatuses.FromStateName(duplicate.Value.State), false));
                    continue;
                }
            }

            var run = RunFactory.Create(job, item, payload, hash, now, "manual", caller.Actor, []);
            run.BatchId = batchId;
            TriggerIntake.ApplyExecutionWindow(job, run, now);
            await scheduler.StartAsync(run, job, ct);
            db.Runs.Add(run);
            results.Add(new BulkTriggerResult(run.CorrelationId, RunStateMachine.Status(run), false));
            created++;
        }

        if (created > 0 && await quotas.CheckAsync(db, job.ProjectId, created, ct) is { } refused)
        {
            return refused;
        }

        // Up to 500 wide run rows and their outbox rows: copied, not INSERTed one by one (see AddedRowsCopy).
        await db.CopyAddedAsync<RunState>(ct);
        await db.CopyAddedAsync<OutboxMessage>(ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/v1/runs?batch_id={batchId}", new BulkTriggerResponse(batchId, results, results.Count, created));
    }

    private static async Task<(Job? Job, IResult? Error)> FindTriggerableJobAsync(string jobId, Caller caller, RunsDbContext db, JobCache jobs,
        CancellationToken ct)
    {
        var job = Guid.TryParse(jobId, out var id) ? await jobs.FindAsync(db, id, caller.ProjectId, ct) : null;
        if (job is null)
        {
            return (null, ApiResults.NotFound("job not found"));
        }

        if (!job.Enabled)
        {
            return (null, ApiResults.BadRequest("job is disabled"));
        }

        return job.Paused ? (null, ApiResults.Conflict("job is paused")) : (job, null);
    }

    /// <summary>Held until the transaction ends, so triggers with one key for one job take turns.</summary>
    private static Task<int> LockAsync(RunsDbContext db, Guid jobId, string key, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({jobId.ToString() + "/" + key}, 0))", ct);

    private static async Task<IReadOnlyList<string>?> PayloadMismatchAsync(Job job, string payload, string subject, CancellationToken ct) =>
        job.PayloadSchema is null ? null : await JsonSchemaValidator.ValidateAsync(job.PayloadSchema, payload, ct, subject, cache: true);

    // routes.md §3.1: the same payload for the same job inside dedup_window_secs returns the run already made, whatever its status.
    private static async Task<(Guid Id, string State)?> FindDuplicateRunAsync(RunsDbContext db, Job job, string hash, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddSeconds(-job.DedupWindowSecs);
        var hit = await db.Runs.AsNoTracking()
            .Where(r => r.ProjectId == job.ProjectId && r.CreatedAt >= since && r.JobId == job.Id && r.PayloadHash == hash)
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { r.CorrelationId, r.CurrentState })
            .FirstOrDefaultAsync(ct);
        return hit is null ? null : (hit.CorrelationId, hit.CurrentState);
    }

    private static (Guid Id, string State)? FindPendingDuplicate(RunsDbContext db, Guid jobId, string hash) =>
        db.ChangeTracker.Entries<RunState>().Select(e => e.Entity)
            .Where(r => r.JobId == jobId && r.PayloadHash == hash)
            .Select(r => ((Guid, string)?)(r.CorrelationId, r.CurrentState))
            .FirstOrDefault();

    // A key matches a run of the job that is still going, or that finished less than 24 hours ago.
    private static async Task<(Guid Id, string State)?> FindIdempotentRunAsync(RunsDbContext db, Guid jobId, string key, DateTimeOffset now, CancellationToken ct)
    {
        var since = now - IdempotencyWindow;
        var hit = await db.Runs.AsNoTracking()
            .Where(r => r.JobId == jobId && r.IdempotencyKey == key && (r.FinishedAt == null || r.FinishedAt > since))
            .OrderByDescending(r => r.CreatedAt)
            .Select(r => new { r.CorrelationId, r.CurrentState })
            .FirstOrDefaultAsync(ct);
        return hit is null ? null : (hit.CorrelationId, hit.CurrentState);
    }

    // Within one bulk request, an earlier item may hold the key and not be saved yet.
    private static (Guid Id, string State)? FindPending(RunsDbContext db, Guid jobId, string key) =>
        db.ChangeTracker.Entries<RunState>().Select(e => e.Entity)
            .Where(r => r.JobId == jobId && r.IdempotencyKey == key)
            .Select(r => ((Guid, string)?)(r.CorrelationId, r.CurrentState))
            .FirstOrDefault();

    private static string? IdempotencyKey(HttpRequest http)
    {
        var key = http.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            key = http.Headers["X-Idempotency-Key"].ToString();
        }

        return key.Length == 0 ? null : key;
    }
}
