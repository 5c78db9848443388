using MassTransit;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// MassTransit's schedule provider backed by the <c>scheduled_messages</c> table: <c>Schedule</c>,
/// <c>ScheduleSend</c>, <c>SchedulePublish</c> and scheduled redelivery write a row keyed by the
/// schedule token; cancelling deletes it. <see cref="ScheduledMessageDeliveryService{TDbContext}"/> sends due rows.
/// </summary>
sealed class StraitScheduleMessageProvider : IScheduleMessageProvider
{
    readonly ISendEndpointProvider _sendEndpointProvider;
    readonly IScheduledMessageStore _store;
    readonly IServiceProvider _provider;
    readonly TimeProvider _timeProvider;
    readonly (Uri? From, Uri? To) _self;

    /// <param name="self">Where timers addressed to the consume context's own queue (<c>From</c>) go instead, if anywhere
    /// (<see cref="ScheduleSelfAddress"/>).</param>
    public StraitScheduleMessageProvider(ISendEndpointProvider sendEndpointProvider, IScheduledMessageStore store, IServiceProvider provider,
        TimeProvider timeProvider, (Uri? From, Uri? To) self = default)
    {
        _self = self;
        _sendEndpointProvider = sendEndpointProvider;
        _store = store;
        _provider = provider;
        _timeProvider = timeProvider;
    }

    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        if (_self.To is not null && destinationAddress == _self.From)
            destinationAddress = _self.To;
        var tokenId = ScheduleTokenIdCache<T>.GetTokenId(message, NewId.NextGuid());
        var dueTime = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc);

        var capture = new ScheduledMessageCapture(_provider, _store, tokenId, dueTime, _timeProvider);
        var endpoint = new OutboxSendEndpoint(capture, await _sendEndpointProvider.GetSendEndpoint(destinationAddress));
        await endpoint.Send(message, new ScheduleTokenPipe<T>(tokenId, pipe), cancellationToken);

        return new ScheduledMessageHandle<T>(tokenId, dueTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => _store.Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) =>
        _store.Cancel(tokenId, cancellationToken);
}
