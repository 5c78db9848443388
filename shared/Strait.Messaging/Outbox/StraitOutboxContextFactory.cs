using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
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
                    var inboxState = await LockInboxRow(dbContext, inbox, messageId, options.ConsumerId, countReceive, context.CancellationToken);
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
    /// </summary>
    static async Task<InboxState> LockInboxRow(DbContext dbContext, StoreNames inbox, Guid messageId, Guid consumerId, bool countReceive,
        CancellationToken cancellationToken)
    {
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
        var rows = await dbContext.Set<InboxState>()
            .FromSqlRaw($$"""
                INSERT INTO {{inbox.QualifiedTable}} AS i (message_id, consumer_id, received, receive_count) VALUES ({0}, {1}, now(), 1)
                ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = i.receive_count + {2}
                RETURNING i.*
                """, messageId, consumerId, countReceive ? 1 : 0)
            .AsTracking()
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002
        return rows.Single();
    }

    public void Probe(ProbeContext context)
    {
        context.CreateFilterScope("outboxContextFactory").Add("provider", "strait-postgresql");
    }
}
