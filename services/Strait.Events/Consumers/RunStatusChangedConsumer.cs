using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Events.Data;

namespace Strait.Events.Consumers;

/// <summary>
/// Keeps the run copy live streams are scoped by, and closes a trigger whose run left the wait other than by the event:
/// the wait timed out (<c>timed_out</c>) or the run was canceled or finished by its own code (<c>canceled</c>).
/// </summary>
public sealed class RunStatusChangedConsumer(EventsDbContext db) : IConsumer<RunStatusChanged>
{
    public async Task Consume(ConsumeContext<RunStatusChanged> context)
    {
        var change = context.Message;
        var at = change.At.ToUniversalTime();
        var ct = context.CancellationToken;
        // Tolerant of out-of-order deliveries: the status follows the newest transition.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO events.runs (run_id, project_id, status, changed_at) VALUES ({change.RunId}, {change.ProjectId}, {change.To}, {at})
            ON CONFLICT (run_id) DO UPDATE SET
                status = CASE WHEN excluded.changed_at >= runs.changed_at THEN excluded.status ELSE runs.status END,
                changed_at = GREATEST(runs.changed_at, excluded.changed_at)
            """, ct);

        if (change.From != "waiting" || change.To == "queued")
        {
            return;
        }

        var timedOut = change.To == "timed_out";
        var status = timedOut ? EventTriggerStatuses.TimedOut : EventTriggerStatuses.Canceled;
        var error = timedOut ? "event trigger timed out" : $"run left the wait ({change.To})";
        await db.EventTriggers.Where(t => t.RunId == change.RunId && t.Status == EventTriggerStatuses.Waiting)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, status).SetProperty(t => t.Error, error), ct);
    }
}
