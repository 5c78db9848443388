using System.Data;
using MassTransit;
using MassTransit.Middleware;
using Microsoft.EntityFrameworkCore;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>
/// MassTransit's consume outbox on PostgreSQL. Each step of the outbox pipe (consume, deliver, clean up)
/// runs in one READ COMMITTED transaction that first locks the inbox row of (message id, consumer id):
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
                    var now = _timeProvider.GetUtcNow().UtcDateTime;
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
                    await dbContext.Database.ExecuteSqlRawAsync(
                        $"INSERT INTO {inbox.QualifiedTable} (message_id, consumer_id, received, receive_count) VALUES ({{0}}, {{1}}, {{2}}, 0) ON CONFLICT DO NOTHING",
                        [messageId, options.ConsumerId, now], context.CancellationToken);
                    var inboxState = (await dbContext.Set<InboxState>()
                        .FromSqlRaw($"SELECT * FROM {inbox.QualifiedTable} WHERE message_id = {{0}} AND consumer_id = {{1}} FOR UPDATE",
                            messageId, options.ConsumerId)
                        .AsTracking()
                        .ToListAsync(context.CancellationToken)).Single();
#pragma warning restore EF1002

                    if (countReceive)
                    {
                        inboxState.ReceiveCount++;
                        countReceive = false;
                    }

                    outboxContext = new StraitOutboxConsumeContext<T>(context, options, _provider, _session, inboxState, _timeProvider);
                    await next.Send(outboxContext);

                    await dbContext.SaveChangesAsync(context.CancellationToken);
                    await transaction.CommitAsync(context.CancellationToken);
                    outboxContext.EndTransaction();
                    _session.NotifyCommitted();

                    return outboxContext.ContinueProcessing;
                }
                catch
                {
                    outboxContext?.EndTransaction();
                    // Whatever was tracked belongs to the rolled-back transaction; a retry starts clean.
                    dbContext.ChangeTracker.Clear();
                    throw;
                }
            });
        }
    }

    public void Probe(ProbeContext context)
    {
        context.CreateFilterScope("outboxContextFactory").Add("provider", "strait-postgresql");
    }
}
