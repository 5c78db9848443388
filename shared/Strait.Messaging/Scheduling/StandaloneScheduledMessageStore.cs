using Microsoft.Extensions.DependencyInjection;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Writes timers in their own short transaction, for callers outside any unit of work (scheduled
/// redelivery after the consume transaction has rolled back).
/// </summary>
sealed class StandaloneScheduledMessageStore : IScheduledMessageStore
{
    readonly IServiceScopeFactory _scopeFactory;

    public StandaloneScheduledMessageStore(IServiceScopeFactory scopeFactory)
    {
        _scopeFactory = scopeFactory;
    }

    public async Task Add(ScheduledMessage message, CancellationToken cancellationToken)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<StraitMessagingSession>();
        await new SessionScheduledMessageStore(session).Add(message, cancellationToken);
        await session.DbContext.SaveChangesAsync(cancellationToken);
    }

    public async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<StraitMessagingSession>();
        await new SessionScheduledMessageStore(session).Cancel(tokenId, cancellationToken);
    }
}
