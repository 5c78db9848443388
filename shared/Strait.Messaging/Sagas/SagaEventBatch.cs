using System.Collections.Concurrent;
using System.Data;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strait.Messaging.Entities;
using Strait.Messaging.Outbox;
using Strait.Messaging.Scheduling;

namespace Strait.Messaging.Sagas;

/// <summary>
/// Raises one state machine event for a batch of messages in one transaction: the batch's messages are claimed in the
/// inbox with one statement, their instances locked with one <c>SELECT … FOR UPDATE</c> (in key order, so two batches
/// never deadlock), each message then goes through MassTransit's own state machine filter against its instance — the
/// same transitions, conditions and unhandled-event handling as on the saga's endpoint — and the instances, timers and
/// outgoing messages (outbox rows) are saved and committed once. Where the saga's endpoint pays a transaction per
/// message, a batch of n pays one.
/// </summary>
/// <remarks>
/// A batch that fails is tried again one message per transaction, so one message that cannot be consumed keeps only
/// itself from committing: the others are then in the inbox, and their retries (the batch's failure fails every
/// message of it) find them consumed. A message whose instance does not exist is handed to the caller's
/// event's own missing-instance behaviour (the machine's <c>OnMissingInstance</c>) and consumed.
/// </remarks>
public sealed class SagaEventBatch<TSaga>
    where TSaga : class, SagaStateMachineInstance
{
    readonly StraitMessagingSession _session;
    readonly IServiceProvider _provider;
    readonly TimeProvider _time;
    readonly ILogger<SagaEventBatch<TSaga>> _logger;
    readonly SagaConsumeContextFactory<DbContext, TSaga> _contextFactory = new();
    readonly ScheduleSelfAddress _sagaQueue;

    // Per event, built once (the batch is scoped, the machine a singleton): its saga filter and missing-instance policy.
    static readonly ConcurrentDictionary<Event, object> EventParts = new();

    public SagaEventBatch(StraitMessagingSession session, IServiceProvider provider, TimeProvider time, ILogger<SagaEventBatch<TSaga>> logger)
    {
        _session = session;
        _provider = provider;
        _time = time;
        _logger = logger;
        // The saga's timers (Schedule in the machine) go to its own queue, not to the batch consumer's.
        _sagaQueue = new ScheduleSelfAddress(new Uri($"queue:{provider.GetRequiredService<IEndpointNameFormatter>().Saga<TSaga>()}"));
    }

    public async Task Consume<TMessage>(ConsumeContext<Batch<TMessage>> context, SagaStateMachine<TSaga> machine, Event<TMessage> @event,
        Guid consumerId, Func<TMessage, Guid> correlationId)
        where TMessage : class
    {
        var messages = context.Message.ToList();
        var (filter, missing) = ((StateMachineSagaMessageFilter<TSaga, TMessage>, ISagaPolicy<TSaga, TMessage>))EventParts.GetOrAdd(@event,
            _ => (new StateMachineSagaMessageFilter<TSaga, TMessage>(machine, @event),
                machine.Correlations.OfType<EventCorrelation<TSaga, TMessage>>().Single(c => c.Event == @event).Policy));
        var options = new OutboxConsumeOptions { ConsumerId = consumerId, ConsumerType = TypeCache<SagaEventBatch<TSaga>>.ShortName };
        try
        {
            await InTransaction(messages, filter, options, correlationId, missing, context.CancellationToken);
        }
        catch (Exception exception) when (messages.Count > 1 && !context.CancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(exception, "A batch of {Count} {Message} failed; consuming them one at a time", messages.Count,
                TypeCache<TMessage>.ShortName);
            List<Exception>? failures = null;
            foreach (var message in messages)
            {
                try
                {
                    await InTransaction([message], filter, options, correlationId, missing, context.CancellationToken);
                }
                catch (Exception single)
                {
                    (failures ??= []).Add(single);
                }
            }

            if (failures is not null)
                throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }
    }

    async Task InTransaction<TMessage>(List<ConsumeContext<TMessage>> messages, StateMachineSagaMessageFilter<TSaga, TMessage> filter,
        OutboxConsumeOptions options, Func<TMessage, Guid> correlationId, ISagaPolicy<TSaga, TMessage> missing,
        CancellationToken cancellationToken)
        where TMessage : class
    {
        var dbContext = _session.DbContext;
        var contexts = new List<StraitOutboxConsumeContext<TMessage>>(messages.Count);
        var strategy = dbContext.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            contexts.Clear();
            dbContext.ChangeTracker.Clear();
            await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            try
            {
                var now = _time.GetUtcNow().UtcDateTime;
                var messageIds = messages.Select(m => m.MessageId ?? throw new MessageException(typeof(TMessage), "MessageId required")).ToArray();
                var fresh = await InboxClaims.ClaimAsync(dbContext, messageIds, options.ConsumerId, now, cancellationToken);

                // A copy of a message in the same batch is a duplicate too: the first one is consumed.
                var consume = messages.Where(m => fresh.Remove(m.MessageId!.Value)).ToList();
                var ids = consume.Select(m => correlationId(m.Message)).Distinct().ToArray();
                var instances = ids.Length == 0
                    ? []
                    : (await SagaRowLock.LoadAllForUpdate<TSaga>(dbContext, ids, cancellationToken)).ToDictionary(r => r.CorrelationId);

                foreach (var message in consume)
                {
                    if (!instances.TryGetValue(correlationId(message.Message), out var instance))
                    {
                        await missing.Missing(message, Pipe.Empty<SagaConsumeContext<TSaga, TMessage>>());
                        continue;
                    }

                    var inbox = new InboxState
                    {
                        MessageId = message.MessageId!.Value,
                        ConsumerId = options.ConsumerId,
                        Received = now,
                        ReceiveCount = 1,
                    };
                    var outboxContext = new StraitOutboxConsumeContext<TMessage>(message, options, _provider, _session, inbox, _time, true);
                    outboxContext.AddOrUpdatePayload(() => _sagaQueue, _ => _sagaQueue);
                    contexts.Add(outboxContext);
                    var sagaContext = await _contextFactory.CreateSagaConsumeContext(dbContext, outboxContext, instance, SagaConsumeContextMode.Load);
                    await filter.Send(sagaContext, Pipe.Empty<SagaConsumeContext<TSaga, TMessage>>());
                }

                await dbContext.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                foreach (var outboxContext in contexts)
                    outboxContext.EndTransaction();
                _session.NotifyCommitted();
            }
            catch
            {
                foreach (var outboxContext in contexts)
                    outboxContext.EndTransaction();
                dbContext.ChangeTracker.Clear();
                _session.DiscardAfterCommit();
                throw;
            }
        });
    }
}
