using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;

namespace Strait.Dispatcher.Consumers;

/// <summary>Removes a withdrawn attempt: its place in the queue, or its slot (aborting the call when it runs on this replica).</summary>
public sealed class WithdrawRunConsumer(DispatcherDbContext db, InFlightDeliveries inFlight) : IConsumer<WithdrawRun>
{
    public async Task Consume(ConsumeContext<WithdrawRun> context)
    {
        var m = context.Message;
        var removed = await db.DispatchQueue.Where(e => e.RunId == m.RunId && e.Attempt == m.Attempt).ExecuteDeleteAsync(context.CancellationToken);
        if (removed > 0)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
        }

        if (m.AbortCall)
        {
            inFlight.Abort(m.RunId, m.Attempt);
        }
    }
}
