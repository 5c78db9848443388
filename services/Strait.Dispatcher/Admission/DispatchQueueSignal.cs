using Microsoft.EntityFrameworkCore;
using Strait.Messaging;

namespace Strait.Dispatcher.Admission;

/// <summary>
/// Wakes the admission loop when the queue changes: a new attempt, a freed slot. Changes are announced with a
/// PostgreSQL NOTIFY inside the changing transaction, so every replica hears of them exactly when they commit.
/// </summary>
public sealed class DispatchQueueSignal
{
    public const string Channel = "strait_dispatch_queue";

    public DeliverySignal Wake { get; } = new();

    /// <summary>
    /// Set by the admission loop while its last pass left admissible attempts waiting for this replica's capacity:
    /// new attempts then queue behind them instead of taking the direct path.
    /// </summary>
    public bool Backlog { get => Volatile.Read(ref backlog); set => Volatile.Write(ref backlog, value); }

    private bool backlog;

    /// <summary>Queues the notification in the context's current transaction (sent by PostgreSQL on commit).</summary>
    public static Task NotifyOnCommitAsync(DbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", cancellationToken);
}
