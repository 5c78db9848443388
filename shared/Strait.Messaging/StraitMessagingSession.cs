using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging;

/// <summary>
/// The service's DbContext for one DI scope, plus what this scope wrote to the outbox and timer
/// tables, so that the delivery loops are woken right after the commit that makes the rows visible.
/// </summary>
public sealed class StraitMessagingSession : IDisposable
{
    readonly StraitMessagingSignals _signals;
    int _outboxWritten;
    int _scheduledWritten;

    public StraitMessagingSession(DbContext dbContext, StraitMessagingSignals signals)
    {
        DbContext = dbContext;
        _signals = signals;
        dbContext.SavedChanges += OnSavedChanges;
    }

    public DbContext DbContext { get; }

    internal void MarkOutboxWritten() => Volatile.Write(ref _outboxWritten, 1);

    internal void MarkScheduledWritten() => Volatile.Write(ref _scheduledWritten, 1);

    /// <summary>Wakes the delivery loops for rows written so far; call once they are committed.</summary>
    internal void NotifyCommitted()
    {
        if (Interlocked.Exchange(ref _outboxWritten, 0) == 1)
            _signals.Outbox.Set();
        if (Interlocked.Exchange(ref _scheduledWritten, 0) == 1)
            _signals.Scheduler.Set();
    }

    void OnSavedChanges(object? sender, SavedChangesEventArgs e)
    {
        // Without an explicit transaction SaveChanges has committed by now. Inside one, the owner of
        // the transaction notifies after its commit, or the scope's end does.
        if (DbContext.Database.CurrentTransaction is null)
            NotifyCommitted();
    }

    public void Dispose()
    {
        DbContext.SavedChanges -= OnSavedChanges;
        NotifyCommitted();
    }
}
