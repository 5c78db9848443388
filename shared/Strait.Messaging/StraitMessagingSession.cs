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
        // No savepoint round trip before every SaveChanges inside a transaction: a failed SaveChanges here always ends
        // its transaction (the consume or the handler fails and rolls back), so there is nothing to roll back to. The
        // saga repository's insert, which does recover from a duplicate key, asks for its own savepoint.
        dbContext.Database.AutoSavepointsEnabled = false;
        _signals = signals;
        dbContext.SavedChanges += OnSavedChanges;
    }

    public DbContext DbContext { get; }

    readonly List<Action> _afterCommit = [];

    internal void MarkOutboxWritten() => Volatile.Write(ref _outboxWritten, 1);

    /// <summary>
    /// Runs <paramref name="action"/> once the current unit of work has committed (a consumer's transaction, or a
    /// handler's SaveChanges): for work that must not start before its rows are visible, such as an HTTP call the
    /// committed row records. Dropped if the transaction rolls back, and inside a transaction the scope opened itself
    /// (its commit is not observed here).
    /// </summary>
    public void AfterCommit(Action action)
    {
        lock (_afterCommit)
            _afterCommit.Add(action);
    }

    /// <summary>The transaction rolled back: what waited for its commit never runs.</summary>
    internal void DiscardAfterCommit()
    {
        lock (_afterCommit)
            _afterCommit.Clear();
    }

    internal void MarkScheduledWritten() => Volatile.Write(ref _scheduledWritten, 1);

    /// <summary>Wakes the delivery loops for rows written so far; call once they are committed.</summary>
    internal void NotifyCommitted()
    {
        Action[] actions;
        lock (_afterCommit)
        {
            actions = [.. _afterCommit];
            _afterCommit.Clear();
        }

        foreach (var action in actions)
            action();

        var outbox = Interlocked.Exchange(ref _outboxWritten, 0) == 1;
        var scheduled = Interlocked.Exchange(ref _scheduledWritten, 0) == 1;
        if (outbox)
            _signals.Outbox.Set();
        if (scheduled)
            _signals.Scheduler.Set();

        // Other replicas learn of the rows through NOTIFY, sent after the commit so they never look too early.
        if ((outbox || scheduled) && DbContext.Database.GetConnectionString() is { } connectionString)
        {
            var schema = StoreNames.Outbox(DbContext).Schema;
            if (outbox)
                MessagingNotifications.Notify(connectionString, schema, MessagingNotifications.Outbox);
            if (scheduled)
                MessagingNotifications.Notify(connectionString, schema, MessagingNotifications.Scheduler);
        }
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
        // Whether a transaction of the scope's own committed is unknown here: what waited for it is dropped.
        DiscardAfterCommit();
        NotifyCommitted();
    }
}
