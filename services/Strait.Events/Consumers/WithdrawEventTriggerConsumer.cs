using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Events;
using Strait.Events.Data;

namespace Strait.Events.Consumers;

/// <summary>The run refused the wait its trigger was made for: the trigger never waited, so it goes and frees its key.</summary>
public sealed class WithdrawEventTriggerConsumer(EventsDbContext db) : IConsumer<WithdrawEventTrigger>
{
    public async Task Consume(ConsumeContext<WithdrawEventTrigger> context) =>
        await db.EventTriggers
            .Where(t => t.Id == context.Message.TriggerId && t.RunId == context.Message.RunId && t.Status == EventTriggerStatuses.Waiting)
            .ExecuteDeleteAsync(context.CancellationToken);
}
