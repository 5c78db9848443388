namespace Strait.Messaging.Entities;

/// <summary>
/// One received message per consumer: the row that de-duplicates redeliveries and tracks how far the
/// consumer's outgoing messages have been delivered.
/// </summary>
public class InboxState
{
    public Guid MessageId { get; set; }

    public Guid ConsumerId { get; set; }

    public DateTime Received { get; set; }

    public int ReceiveCount { get; set; }

    public DateTime? Consumed { get; set; }

    public DateTime? Delivered { get; set; }

    public long? LastSequenceNumber { get; set; }
}
