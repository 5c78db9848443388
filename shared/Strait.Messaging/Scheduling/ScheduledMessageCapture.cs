using MassTransit;
using MassTransit.Middleware;
using Strait.Messaging.Entities;
using ScheduledMessage = Strait.Messaging.Entities.ScheduledMessage;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Receives the send context MassTransit builds for a scheduled message (serializer, headers, ids) and
/// stores it as a timer row instead of handing it to the transport.
/// </summary>
sealed class ScheduledMessageCapture : OutboxSendContext
{
    readonly IServiceProvider _provider;
    readonly IScheduledMessageStore _store;
    readonly Guid _tokenId;
    readonly DateTime _dueTime;
    readonly TimeProvider _timeProvider;

    public ScheduledMessageCapture(IServiceProvider provider, IScheduledMessageStore store, Guid tokenId, DateTime dueTime,
        TimeProvider timeProvider)
    {
        _provider = provider;
        _store = store;
        _tokenId = tokenId;
        _dueTime = dueTime;
        _timeProvider = timeProvider;
    }

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var row = StoredMessageWriter.Fill(new ScheduledMessage { TokenId = _tokenId, DueTime = _dueTime, Created = now }, context, now);
        return _store.Add(row, context.CancellationToken);
    }

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);
}
