namespace Strait.Messaging.Entities;

/// <summary>
/// A durable timer: a serialized message that is sent to <see cref="StoredMessage.DestinationAddress"/>
/// once <see cref="DueTime"/> has passed. The token id is MassTransit's schedule token, so cancelling
/// or superseding a schedule is a delete by primary key.
/// </summary>
public class ScheduledMessage : StoredMessage
{
    public Guid TokenId { get; set; }

    public DateTime DueTime { get; set; }

    public DateTime Created { get; set; }

    protected override long SequenceNumberForDelivery => 0;
}
