using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Strait.Contracts.Runs;
using Strait.Events.Data;
using Strait.Messaging;
using Strait.Messaging.Outbox;

namespace Strait.Events.Consumers;

/// <summary>
/// Keeps the run copy live streams are scoped by, and closes a trigger whose run left the wait other than by the event:
/// the wait timed out (<c>timed_out</c>) or the run was canceled or finished by its own code (<c>canceled</c>).
/// </summary>
/// <remarks>
/// Consumed in batches, one transaction per batch, without an inbox: the copy follows the newest transition whatever
/// the order or repetition of deliveries, and closing a trigger only ever moves a waiting one; so the endpoint needs no
/// partitioning by run id and a batch fills up to its message limit.
/// </remarks>
public sealed class RunStatusChangedConsumer(EventsDbContext db) : IConsumer<Batch<RunStatusChanged>>, ISelfDeduplicatingConsumer, IUnpartitionedConsumer
{
    public async Task Consume(ConsumeContext<Batch<RunStatusChanged>> context)
    {
        var ct = context.CancellationToken;
        var changes = context.Message.Select(c => c.Message).ToList();
        // One row per run (a statement may not update a row twice): the batch's newest transition of each run.
        var newest = changes.GroupBy(c => c.RunId).Select(g => g.Aggregate((a, b) => b.At >= a.At ? b : a)).ToList();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO events.runs (run_id, project_id, status, changed_at)
            SELECT * FROM unnest(@run_ids, @projects, @statuses, @at)
            ON CONFLICT (run_id) DO UPDATE SET
                status = CASE WHEN excluded.changed_at >= runs.changed_at THEN excluded.status ELSE runs.status END,
                changed_at = GREATEST(runs.changed_at, excluded.changed_at)
            """,
            [
                new NpgsqlParameter("run_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = newest.Select(c => c.RunId).ToArray() },
                new NpgsqlParameter("projects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newest.Select(c => c.ProjectId).ToArray() },
                new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newest.Select(c => c.To).ToArray() },
                new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = newest.Select(c => c.At.ToUniversalTime()).ToArray() },
            ], ct);

        foreach (var change in changes.Where(c => c.From == "waiting" && c.To != "queued"))
        {
            var timedOut = change.To == "timed_out";
            var status = timedOut ? EventTriggerStatuses.TimedOut : EventTriggerStatuses.Canceled;
            var error = timedOut ? "event trigger timed out" : $"run left the wait ({change.To})";
            await db.EventTriggers.Where(t => t.RunId == change.RunId && t.Status == EventTriggerStatuses.Waiting)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, status).SetProperty(t => t.Error, error), ct);
        }

        await transaction.CommitAsync(ct);
    }
}
