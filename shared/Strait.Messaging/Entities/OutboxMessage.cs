namespace Strait.Messaging.Entities;

/// <summary>
/// A message published or sent inside a database transaction, delivered to the broker after commit.
/// Rows written by a consumer or saga carry the inbox key of the message being consumed and are
/// delivered by MassTransit's outbox consume pipe; rows written outside a consumer (API handlers)
/// have no inbox key and are delivered by <see cref="Outbox.OutboxDeliveryService{TDbContext}"/>.
/// </summary>
public class OutboxMessage : StoredMessage
{
    public long SequenceNumber { get; set; }

    public Guid? InboxMessageId { get; set; }

    public Guid? InboxConsumerId { get; set; }

    protected override long SequenceNumberForDelivery => SequenceNumber;
}
