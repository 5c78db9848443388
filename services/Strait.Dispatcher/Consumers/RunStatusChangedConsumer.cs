using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Consumers;

/// <summary>
/// Frees the slot of a run that left <c>executing</c> (completed or failed through the SDK after a 202, timed out,
/// canceled). <see cref="RunStatusChanged.Attempt"/> is the attempt that was executing; later attempts keep theirs.
/// A call still in flight is left to finish (the job code may have moved the run itself, e.g. into a durable wait, and
/// is about to answer); with its row gone it reports nothing.
/// </summary>
public sealed class RunStatusChangedConsumer(DispatcherDbContext db) : IConsumer<RunStatusChanged>
{
    public const string Executing = "executing";

    public async Task Consume(ConsumeContext<RunStatusChanged> context)
    {
        var m = context.Message;
        if (m.From != Executing || m.To == Executing)
        {
            return;
        }

        var released = await db.DispatchQueue
            .Where(e => e.RunId == m.RunId && e.Attempt <= m.Attempt && e.Status != DispatchQueueStatus.Pending)
            .ExecuteDeleteAsync(context.CancellationToken);
        if (released > 0)
        {
            await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
        }
    }
}
