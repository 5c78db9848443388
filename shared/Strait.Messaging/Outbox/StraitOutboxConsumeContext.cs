using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>
/// The consume context a consumer or saga sees inside the outbox: its publishes and sends become
/// <c>outbox_messages</c> rows in the current transaction, keyed by the inbox row of the message.
/// </summary>
public sealed class StraitOutboxConsumeContext<TMessage> :
    OutboxConsumeContextProxy<TMessage>,
    IStraitTransactionContext
    where TMessage : class
{
    readonly DbContext _dbContext;
    readonly InboxState _inboxState;
    readonly TimeProvider _timeProvider;

    internal StraitOutboxConsumeContext(ConsumeContext<TMessage> context, OutboxConsumeOptions options, IServiceProvider provider,
        StraitMessagingSession session, InboxState inboxState, TimeProvider timeProvider)
        : base(context, options, provider)
    {
        Session = session;
        _dbContext = session.DbContext;
        _inboxState = inboxState;
        _timeProvider = timeProvider;
    }

    public StraitMessagingSession Session { get; }

    bool IStraitTransactionContext.IsTransactionActive => _transactionActive;

    bool _transactionActive = true;

    internal void EndTransaction() => _transactionActive = false;

    /// <summary>True once this step added an outgoing message.</summary>
    internal bool WroteOutboxMessages { get; private set; }

    public override Guid? MessageId => _inboxState.MessageId;

    public override bool ContinueProcessing { get; set; } = true;

    public override bool IsMessageConsumed => _inboxState.Consumed.HasValue;

    public override bool IsOutboxDelivered => _inboxState.Delivered.HasValue;

    public override int ReceiveCount => _inboxState.ReceiveCount;

    public override long? LastSequenceNumber => _inboxState.LastSequenceNumber;

    public override async Task SetConsumed()
    {
        _inboxState.Consumed = _timeProvider.GetUtcNow().UtcDateTime;
        await _dbContext.SaveChangesAsync(CancellationToken);
    }

    public override async Task SetDelivered()
    {
        _inboxState.Delivered = _timeProvider.GetUtcNow().UtcDateTime;
        await _dbContext.SaveChangesAsync(CancellationToken);
    }

    public override async Task<List<OutboxMessageContext>> LoadOutboxMessages()
    {
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
        await _dbContext.Set<OutboxMessage>()
            .Where(x => x.InboxMessageId == _inboxState.MessageId && x.InboxConsumerId == ConsumerId)
            .ExecuteDeleteAsync(CancellationToken);
    }

    public override Task AddSend<T>(SendContext<T> context)
    {
        var row = StoredMessageWriter.Fill(new OutboxMessage
        {
            InboxMessageId = _inboxState.MessageId,
            InboxConsumerId = ConsumerId,
        }, context, _timeProvider.GetUtcNow().UtcDateTime);

        lock (_dbContext)
            _dbContext.Add(row);
        WroteOutboxMessages = true;

        return Task.CompletedTask;
    }
}
