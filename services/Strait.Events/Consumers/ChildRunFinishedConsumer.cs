using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Events.Data;

namespace Strait.Events.Consumers;

/// <summary>
/// A spawned child ended: the trigger its awaiting parent registered (<c>spawn-await:&lt;child&gt;</c>) is received, with
/// the child's id and status as its payload. Only a waiting trigger moves, so a redelivery or a parent that already
/// timed out (its trigger closed as <c>timed_out</c>) changes nothing.
/// </summary>
public sealed class ChildRunFinishedConsumer(EventsDbContext db, TimeProvider time) : IConsumer<ChildRunFinished>
{
    public async Task Consume(ConsumeContext<ChildRunFinished> context)
    {
        var m = context.Message;
        var key = "spawn-await:" + m.ChildRunId.ToString("D");
        var payload = JsonSerializer.SerializeToDocument(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["child_run_id"] = m.ChildRunId.ToString("D"),
            ["child_status"] = m.ChildStatus,
        });
        var now = time.GetUtcNow();
        await db.EventTriggers
            .Where(t => t.RunId == m.RunId && t.EventKey == key && t.Status == EventTriggerStatuses.Waiting)
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Status, EventTriggerStatuses.Received)
                .SetProperty(t => t.ReceivedAt, now)
                .SetProperty(t => t.SentBy, "spawn")
                .SetProperty(t => t.ResponsePayload, payload), context.CancellationToken);
    }
}
