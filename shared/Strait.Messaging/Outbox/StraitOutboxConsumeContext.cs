using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>
/// The consume context a consumer or saga sees inside the outbox: its publishes and sends become
/// <c>outbox_messages</c> rows in the current transaction. Rows keyed by an inbox row (written before
/// consumer messages joined the shared outbox) are still delivered by the outbox pipe's own steps.
/// </summary>
public sealed class StraitOutboxConsumeContext<TMessage> :
    OutboxConsumeContextProxy<TMessage>,
    IStraitTransactionContext
    where TMessage : class
{
    readonly DbContext _dbContext;
    readonly InboxState _inboxState;
    readonly TimeProvider _timeProvider;

    // True when this transaction consumed the message and the consumer wrote nothing: the deliver and
    // clean-up steps then need no queries.
    readonly bool _outboxKnownEmpty;

    internal StraitOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        StraitMessagingSession session, InboxState inboxState, TimeProvider timeProvider, bool outboxKnownEmpty)
        : base(context, options, provider)
    {
        _outboxKnownEmpty = outboxKnownEmpty;
        Session = session;
        _dbContext = session.DbContext;
        _inboxState = inboxState;
        _timeProvider = timeProvider;
    }

    public StraitMessagingSession Session { get; }

    bool IStraitTransactionContext.IsTransactionActive => _transactionActive;

    bool _transactionActive = true;

    internal void EndTransaction() => _transactionActive = false;

    public override Guid? MessageId => _inboxState.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed => _inboxState.Consumed.HasValue;

    public override bool IsOutboxDelivered => _inboxState.Delivered.HasValue;

    public override int ReceiveCount => _inboxState.ReceiveCount;

    public override long? LastSequenceNumber => _inboxState.LastSequenceNumber;

    // The factory saves after every step, in the step's transaction.
    public override Task SetConsumed()
    {
        // What the consumer sent went to the shared outbox: nothing is left for this message's own deliver step,
        // so it is marked delivered in the same write.
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        _inboxState.Consumed = now;
        _inboxState.Delivered ??= now;
        return Task.CompletedTask;
    }

    public override Task SetDelivered()
    {
        _inboxState.Delivered = _timeProvider.GetUtcNow().UtcDateTime;
        return Task.CompletedTask;
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
        if (_outboxKnownEmpty)
            return [];

        var lastSequenceNumber = LastSequenceNumber ?? 0;
        var messages = await _dbContext.Set<OutboxMessage>()
            .Where(x => x.InboxMessageId == _inboxState.MessageId && x.InboxConsumerId == ConsumerId && x.SequenceNumber > lastSequenceNumber)
            .OrderBy(x => x.SequenceNumber)
            .Take(Options.MessageDeliveryLimit + 1)
            .AsNoTracking()
            .ToListAsync(CancellationToken);

        foreach (var message in messages)
            message.Deserialize(SerializerContext);

        return messages.Cast<OutboxMessageContext>().ToList();
    }

    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message)
    {
        _inboxState.LastSequenceNumber = message.SequenceNumber;
        return Task.CompletedTask;
    }

    public override async Task RemoveOutboxMessages()
    {
        if (_outboxKnownEmpty)
            return;
        await _dbContext.Set<OutboxMessage>()
            .Where(x => x.InboxMessageId == _inboxState.MessageId && x.InboxConsumerId == ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    /// <summary>
    /// Outgoing messages join the service's shared outbox (no inbox key), which the delivery service sends after
    /// the commit, in commit order, batched with every other transaction's. So consuming a message costs one
    /// transaction, where MassTransit's own steps (consume, deliver, clean up) would cost two or three.
    /// </summary>
    public override Task AddSend<T>(SendContext<T> context)
    {
        var row = StoredMessageWriter.Fill(new OutboxMessage(), context, _timeProvider.GetUtcNow().UtcDateTime);

        lock (_dbContext)
            _dbContext.Add(row);
        Session.MarkOutboxWritten();

        return Task.CompletedTask;
    }
}
