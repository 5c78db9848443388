using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Events.Data;
using Strait.Messaging;
using Strait.Messaging.Outbox;

namespace Strait.Events.Consumers;

/// <summary>
/// Closes a trigger whose run left the wait other than by the event: the wait timed out (<c>timed_out</c>) or the run
/// was canceled or finished by its own code (<c>canceled</c>).
/// </summary>
/// <remarks>
/// Without an inbox or partitioning: closing only ever moves a trigger that is still waiting, so a repeated or
/// reordered delivery changes nothing.
/// </remarks>
public sealed class RunLeftWaitConsumer(EventsDbContext db) : IConsumer<RunLeftWait>, ISelfDeduplicatingConsumer, IUnpartitionedConsumer
{
    public async Task Consume(ConsumeContext<RunLeftWait> context)
    {
        var change = context.Message;
        var timedOut = change.To == "timed_out";
        var status = timedOut ? EventTriggerStatuses.TimedOut : EventTriggerStatuses.Canceled;
        var error = timedOut ? "event trigger timed out" : $"run left the wait ({change.To})";
        await db.EventTriggers.Where(t => t.RunId == change.RunId && t.Status == EventTriggerStatuses.Waiting)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, status).SetProperty(t => t.Error, error), context.CancellationToken);
    }
}
