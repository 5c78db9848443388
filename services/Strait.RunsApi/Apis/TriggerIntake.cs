using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.Scheduling;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>
/// The steps of a manual trigger after idempotency and payload dedup (semantics §6.0): debounce, batch, then the
/// immediate path's execution window and project quotas. Each costs nothing for a job (or project) that does not use it.
/// </summary>
public static class TriggerIntake
{
    public sealed record DebouncedResponse(bool Debounced, DateTimeOffset FireAt);

    public sealed record BufferedResponse(bool Buffered);

    public sealed record BatchResponse(Guid Id, string Status, bool Batch);

    /// <summary>The answer when the trigger ends before the immediate path (debounced, buffered, batch drained, over quota); else null and <paramref name="run"/> is ready to enqueue.</summary>
    public static async Task<IResult?> BeforeEnqueueAsync(RunsDbContext db, RunScheduler scheduler, ProjectQuotas quotas, Job job,
        TriggerRequest request, RunState run, DateTimeOffset now, CancellationToken ct)
    {
        if (job.DebounceWindowSecs > 0 && !string.IsNullOrEmpty(request.DebounceKey))
        {
            var fireAt = await DebounceAsync(db, job, request, run, now, ct);
            return TypedResults.Created((string?)null, new DebouncedResponse(true, fireAt));
        }

        if (job.BatchWindowSecs > 0 && !string.IsNullOrEmpty(request.BatchKey))
        {
            return await BufferAsync(db, scheduler, job, request.BatchKey, run, now, ct);
        }

        ApplyExecutionWindow(job, run, now);
        return await quotas.CheckAsync(db, job.ProjectId, 1, ct);
    }

    /// <summary>Moves a run whose start minute is outside the job's execution window to the next minute inside it (→ delayed).</summary>
    public static void ApplyExecutionWindow(Job job, RunState run, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(job.ExecutionWindowCron)
            || CronSchedule.TryParse(job.ExecutionWindowCron, job.Timezone, out _) is not { } window)
        {
            return;
        }

        var start = run.ScheduledAt ?? now;
        if (ExecutionWindow.NextOpen(window, start) is { } open)
        {
            run.ScheduledAt = open;
            run.CurrentState = nameof(RunStateMachine.Delayed);
            run.ExpiresAt += open - start;
        }
    }

    // Trailing edge: the latest trigger replaces the pending one's payload, tags, priority and concurrency key and pushes
    // fire_at out. An upsert, so a trigger racing the poller's firing of the entry simply starts a new one.
    private static async Task<DateTimeOffset> DebounceAsync(RunsDbContext db, Job job, TriggerRequest request, RunState run,
        DateTimeOffset now, CancellationToken ct)
    {
        var fireAt = now.AddSeconds(job.DebounceWindowSecs);
        var tags = JsonSerializer.Serialize(request.Tags ?? []);
        var rows = await db.Database.SqlQuery<DateTimeOffset>($"""
            INSERT INTO runs.debounce_entries (id, job_id, project_id, key, payload, tags, priority, concurrency_key, created_by, fire_at, created_at, updated_at)
            VALUES ({Guid.CreateVersion7(now)}, {job.Id}, {job.ProjectId}, {request.DebounceKey}, {run.Payload}, {tags}::jsonb,
                    {run.Priority}, {run.ConcurrencyKey}, {run.CreatedBy}, {fireAt}, {now}, {now})
            ON CONFLICT (job_id, key) DO UPDATE SET payload = excluded.payload, tags = excluded.tags, priority = excluded.priority,
                concurrency_key = excluded.concurrency_key, created_by = excluded.created_by, fire_at = excluded.fire_at,
                updated_at = excluded.updated_at
            RETURNING fire_at AS "Value"
            """).ToListAsync(ct);
        return rows[0];
    }

    private static async Task<IResult> BufferAsync(RunsDbContext db, RunScheduler scheduler, Job job, string key, RunState run,
        DateTimeOffset now, CancellationToken ct)
    {
        // Triggers of one batch take turns with each other and with the flusher.
        await LockBatchAsync(db, job.Id, key, ct);
        var item = new BatchItem { Id = Guid.CreateVersion7(now), JobId = job.Id, ProjectId = job.ProjectId, Key = key, Payload = run.Payload, CreatedAt = now };
        if (job.BatchMaxSize > 0
            && await db.BatchItems.CountAsync(i => i.JobId == job.Id && i.Key == key, ct) + 1 >= job.BatchMaxSize)
        {
            var items = await db.BatchItems.Where(i => i.JobId == job.Id && i.Key == key)
                .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).ToListAsync(ct);
            var batch = await DrainAsync(db, scheduler, job, [.. items, item], run.CreatedBy, now, ct);
            return TypedResults.Created($"/v1/runs/{batch.CorrelationId}", new BatchResponse(batch.CorrelationId, RunStateMachine.Status(batch), true));
        }

        db.BatchItems.Add(item);
        return TypedResults.Created((string?)null, new BufferedResponse(true));
    }

    /// <summary>Turns buffered items into one queued run with payload <c>{"items":[…]}</c> and removes them (saved by the caller).</summary>
    internal static async Task<RunState> DrainAsync(RunsDbContext db, RunScheduler scheduler, Job job, IReadOnlyList<BatchItem> items,
        string? createdBy, DateTimeOffset now, CancellationToken ct)
    {
        var payload = new StringBuilder("{\"items\":[");
        payload.AppendJoin(',', items.Select(i => i.Payload)).Append("]}");
        var text = payload.ToString();
        var request = new TriggerRequest(null, null, null, null, null, null, null, "batch:" + items[0].Id);
        var run = RunFactory.Create(job, request, text, CanonicalJson.Hash(text), now, "manual", createdBy, []);
        db.BatchItems.RemoveRange(items.Where(i => db.Entry(i).State != EntityState.Detached));
        await scheduler.StartAsync(run, job, ct);
        db.Runs.Add(run);
        return run;
    }

    /// <summary>Creates the run of a due debounce entry (idempotency key <c>debounce:&lt;id&gt;</c>) and removes the entry (saved by the caller).</summary>
    internal static async Task<RunState> FireAsync(RunsDbContext db, RunScheduler scheduler, Job job, DebounceEntry entry,
        DateTimeOffset now, CancellationToken ct)
    {
        var request = new TriggerRequest(null, entry.Tags, null, entry.Priority, null, null, entry.ConcurrencyKey, "debounce:" + entry.Id);
        var run = RunFactory.Create(job, request, entry.Payload, CanonicalJson.Hash(entry.Payload), now, "manual", entry.CreatedBy, []);
        db.DebounceEntries.Remove(entry);
        await scheduler.StartAsync(run, job, ct);
        db.Runs.Add(run);
        return run;
    }

    internal static Task<int> LockBatchAsync(RunsDbContext db, Guid jobId, string key, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({jobId.ToString() + "/batch/" + key}, 0))", ct);
}
