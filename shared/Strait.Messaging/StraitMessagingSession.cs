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
        var outbox = Interlocked.Exchange(ref _outboxWritten, 0) == 1;
        var scheduled = Interlocked.Exchange(ref _scheduledWritten, 0) == 1;
        if (outbox)
            _signals.Outbox.Set();
        if (scheduled)
            _signals.Scheduler.Set();

        // Other replicas learn of the rows through NOTIFY, sent after the commit so they never look too early.
        if ((outbox || scheduled) && DbContext.Database.GetConnectionString() is { } connectionString)
            MessagingNotifications.Notify(connectionString, StoreNames.Outbox(DbContext).Schema);
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
