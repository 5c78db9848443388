using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Events.Data;

namespace Strait.Events.Consumers;

/// <summary>
/// A parent awaiting its spawned child was resumed by the child's end: the trigger it registered
/// (<c>spawn-await:&lt;child&gt;</c>) is received, with the child's id and status as its payload. Only a waiting trigger
/// moves, so a redelivery changes nothing.
/// </summary>
public sealed class SpawnAwaitResolvedConsumer(EventsDbContext db) : IConsumer<SpawnAwaitResolved>
{
    public async Task Consume(ConsumeContext<SpawnAwaitResolved> context)
    {
        var m = context.Message;
        var key = "spawn-await:" + m.ChildRunId.ToString("D");
        var payload = JsonSerializer.SerializeToDocument(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["child_run_id"] = m.ChildRunId.ToString("D"),
            ["child_status"] = m.ChildStatus,
        });
        var now = m.At;
        await db.EventTriggers
            .Where(t => t.RunId == m.RunId && t.EventKey == key && t.Status == EventTriggerStatuses.Waiting)
            .ExecuteUpdateAsync(u => u
                .SetProperty(t => t.Status, EventTriggerStatuses.Received)
                .SetProperty(t => t.ReceivedAt, now)
                .SetProperty(t => t.SentBy, "spawn")
                .SetProperty(t => t.ResponsePayload, payload), context.CancellationToken);
    }
}
