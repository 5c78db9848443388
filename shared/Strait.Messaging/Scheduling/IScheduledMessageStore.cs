using Strait.Messaging.Entities;

namespace Strait.Messaging.Scheduling;

/// <summary>Where a schedule or a cancellation is written.</summary>
interface IScheduledMessageStore
{
    Task Add(ScheduledMessage message, CancellationToken cancellationToken);

    Task Cancel(Guid tokenId, CancellationToken cancellationToken);
}
