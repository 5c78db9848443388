using Strait.Messaging.Entities;
using Strait.Messaging.Outbox;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// The store for a consume context: inside the outbox transaction while that is open, on its own
/// afterwards (MassTransit may still reach the scheduler through the context, e.g. to redeliver).
/// </summary>
sealed class ConsumeScheduledMessageStore : IScheduledMessageStore
{
    readonly IStraitTransactionContext _context;
    readonly IScheduledMessageStore _standalone;

    public ConsumeScheduledMessageStore(IStraitTransactionContext context, IScheduledMessageStore standalone)
    {
        _context = context;
        _standalone = standalone;
    }

    IScheduledMessageStore Current => _context.IsTransactionActive ? new SessionScheduledMessageStore(_context.Session) : _standalone;

    public Task Add(ScheduledMessage message, CancellationToken cancellationToken) => Current.Add(message, cancellationToken);

    public Task Cancel(Guid tokenId, CancellationToken cancellationToken) => Current.Cancel(tokenId, cancellationToken);
}
