using Microsoft.EntityFrameworkCore;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Writes timers through the scope's DbContext: a schedule is a tracked row saved with the caller's
/// SaveChanges (or the consume transaction), a cancellation a DELETE in the current transaction, so a
/// timer and the state change that set or cleared it commit together.
/// </summary>
sealed class SessionScheduledMessageStore : IScheduledMessageStore
{
    readonly StraitMessagingSession _session;

    public SessionScheduledMessageStore(StraitMessagingSession session)
    {
        _session = session;
    }

    public Task Add(ScheduledMessage message, CancellationToken cancellationToken)
    {
        var dbContext = _session.DbContext;
        lock (dbContext)
        {
            // Rescheduling the same token in one unit of work replaces the pending row.
            var pending = dbContext.ChangeTracker.Entries<ScheduledMessage>().FirstOrDefault(x => x.Entity.TokenId == message.TokenId);
            if (pending is not null)
                pending.State = EntityState.Detached;
            dbContext.Add(message);
        }

        _session.MarkScheduledWritten();
        return Task.CompletedTask;
    }

    public async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        var dbContext = _session.DbContext;
        lock (dbContext)
        {
            var pending = dbContext.ChangeTracker.Entries<ScheduledMessage>().FirstOrDefault(x => x.Entity.TokenId == tokenId);
            if (pending is not null)
                pending.State = EntityState.Detached;
        }

        await dbContext.Set<ScheduledMessage>().Where(x => x.TokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }
}
