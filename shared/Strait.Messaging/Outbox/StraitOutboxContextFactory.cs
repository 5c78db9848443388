using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>
/// MassTransit's consume outbox on PostgreSQL. The steps of the outbox pipe (consume, deliver, clean up)
/// run in one READ COMMITTED transaction that first locks the inbox row of (message id, consumer id):
/// a redelivered or concurrently delivered duplicate waits on that lock and then sees the message as
/// consumed, so the consumer's effects happen once.
/// </summary>
public sealed class StraitOutboxContextFactory<TDbContext> : IOutboxContextFactory<TDbContext>
    where TDbContext : DbContext
{
    readonly StraitMessagingSession _session;
    readonly IServiceProvider _provider;
    readonly TimeProvider _timeProvider;

    public StraitOutboxContextFactory(StraitMessagingSession session, IServiceProvider provider, TimeProvider timeProvider)
    {
        _session = session;
        _provider = provider;
        _timeProvider = timeProvider;
    }

    public async Task Send<T>(ConsumeContext<T> context, OutboxConsumeOptions options, IPipe<OutboxConsumeContext<T>> next)
        where T : class
    {
        var messageId = context.GetOriginalMessageId() ?? throw new MessageException(typeof(T), "MessageId required to use the outbox");
        var dbContext = _session.DbContext;
        var inbox = StoreNames.Inbox(dbContext);
        var countReceive = true;

        var continueProcessing = true;
        while (continueProcessing)
        {
            var strategy = dbContext.Database.CreateExecutionStrategy();
            continueProcessing = await strategy.ExecuteAsync(async () =>
            {
                StraitOutboxConsumeContext<T>? outboxContext = null;
                await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
                try
                {
                    var (inboxState, inserted) = await LockInboxRow(dbContext, inbox, messageId, options.ConsumerId, countReceive,
                        context.CancellationToken);
                    countReceive = false;

                    // The outbox pipe runs in steps (consume, deliver, clean up), all in this one transaction:
                    // what the consumer publishes goes to the shared outbox, sent by the delivery service after
                    // the commit, so the deliver and clean-up steps have nothing of this message's to send.
                    bool continueSteps;
                    var outboxKnownEmpty = false;
                    do
                    {
                        var consumedBefore = inboxState.Consumed.HasValue;
                        outboxContext?.EndTransaction();
                        outboxContext = new StraitOutboxConsumeContext<T>(context, options, _provider, _session, inboxState, _timeProvider,
                            outboxKnownEmpty);
                        await next.Send(outboxContext);
                        await dbContext.SaveChangesAsync(context.CancellationToken);
                        continueSteps = outboxContext.ContinueProcessing;
                        outboxKnownEmpty |= !consumedBefore && inboxState.Consumed.HasValue;
                    }
                    while (continueSteps);

                    if (inserted && !inboxState.Consumed.HasValue)
                        await MarkNotConsumed(dbContext, inbox, messageId, options.ConsumerId, context.CancellationToken);

                    await transaction.CommitAsync(context.CancellationToken);
                    outboxContext.EndTransaction();
                    _session.NotifyCommitted();

                    return continueSteps;
                }
                catch
                {
                    outboxContext?.EndTransaction();
                    // Whatever was tracked or promised belongs to the rolled-back transaction; a retry starts clean.
                    dbContext.ChangeTracker.Clear();
                    _session.DiscardAfterCommit();
                    throw;
                }
            });
        }
    }

    /// <summary>
    /// Inserts the inbox row if this is the first delivery, or counts the delivery on the existing one, and so locks
    /// it, in one statement: a concurrent duplicate blocks here until this transaction ends, then sees what it did.
    /// A first delivery is inserted already marked consumed and delivered (its consumer's messages go to the shared
    /// outbox, so nothing stays to deliver): if the consumer fails, the rollback removes the row, so the message is
    /// consumed again. The pipe is then handed an untracked row that is not yet consumed, so marking it consumed
    /// costs no UPDATE; an existing row is tracked as before.
    /// </summary>
    async Task<InboxRow> LockInboxRow(DbContext dbContext, StoreNames inbox, Guid messageId, Guid consumerId, bool countReceive,
        CancellationToken cancellationToken)
    {
        await using var command = dbContext.Database.GetDbConnection().CreateCommand();
        command.Transaction = dbContext.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The inbox row is locked inside the consume transaction.");
        command.CommandText = $"""
            INSERT INTO {inbox.QualifiedTable} AS i (message_id, consumer_id, received, receive_count, consumed, delivered)
            VALUES (@message_id, @consumer_id, now(), 1, @now, @now)
            ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + @count
            RETURNING i.received, i.receive_count, i.consumed, i.delivered, i.last_sequence_number, (i.xmax = 0) AS inserted
            """;
        AddParameter(command, "message_id", messageId);
        AddParameter(command, "consumer_id", consumerId);
        AddParameter(command, "now", _timeProvider.GetUtcNow().UtcDateTime);
        AddParameter(command, "count", countReceive ? 1 : 0);

        InboxState state;
        bool inserted;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
                throw new InvalidOperationException("The inbox upsert returned no row.");
            inserted = reader.GetBoolean(5);
            state = new InboxState
            {
                MessageId = messageId,
                ConsumerId = consumerId,
                Received = reader.GetDateTime(0),
                ReceiveCount = reader.GetInt32(1),
                Consumed = inserted || reader.IsDBNull(2) ? null : reader.GetDateTime(2),
                Delivered = inserted || reader.IsDBNull(3) ? null : reader.GetDateTime(3),
                LastSequenceNumber = reader.IsDBNull(4) ? null : reader.GetInt64(4),
            };
        }

        if (!inserted)
        {
            // Later changes to the row (consumed, delivered, last sequence number) are saved with the step.
            var tracked = dbContext.ChangeTracker.Entries<InboxState>()
                .FirstOrDefault(e => e.Entity.MessageId == messageId && e.Entity.ConsumerId == consumerId);
            if (tracked is not null)
                tracked.State = EntityState.Detached;
            dbContext.Attach(state);
        }

        return new InboxRow(state, inserted);
    }

    /// <summary>
    /// A first delivery whose pipe ended without marking the message consumed: the row, inserted as consumed,
    /// says what really happened.
    /// </summary>
    static async Task MarkNotConsumed(DbContext dbContext, StoreNames inbox, Guid messageId, Guid consumerId, CancellationToken cancellationToken)
    {
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
        await dbContext.Database.ExecuteSqlRawAsync(
            $"UPDATE {inbox.QualifiedTable} SET consumed = NULL, delivered = NULL WHERE message_id = {{0}} AND consumer_id = {{1}}",
            [messageId, consumerId], cancellationToken);
#pragma warning restore EF1002
    }

    static void AddParameter(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    readonly record struct InboxRow(InboxState State, bool Inserted);

    public void Probe(ProbeContext context)
    {
        context.CreateFilterScope("outboxContextFactory").Add("provider", "strait-postgresql");
    }
}
