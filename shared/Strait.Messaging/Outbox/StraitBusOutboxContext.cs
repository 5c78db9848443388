using MassTransit;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>
/// The bus as seen from a scope that is not consuming a message (an API request): publishes and sends
/// are added to the scope's DbContext as <c>outbox_messages</c> rows and so commit, or not, with the
/// handler's own rows on its SaveChanges. The delivery service sends them after the commit.
/// </summary>
public sealed class StraitBusOutboxContext : ScopedBusContext, OutboxSendContext
{
    readonly IBus _bus;
    readonly IClientFactory _clientFactory;
    readonly IServiceProvider _provider;
    readonly StraitMessagingSession _session;
    readonly TimeProvider _timeProvider;
    IPublishEndpoint? _publishEndpoint;
    IScopedClientFactory? _scopedClientFactory;
    ISendEndpointProvider? _sendEndpointProvider;

    public StraitBusOutboxContext(IBus bus, StraitMessagingSession session, IClientFactory clientFactory, IServiceProvider provider,
        TimeProvider timeProvider)
    {
        _bus = bus;
        _session = session;
        _clientFactory = clientFactory;
        _provider = provider;
        _timeProvider = timeProvider;
    }

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, _bus);

    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, _bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(_clientFactory, _provider)), null);

    public Task AddSend<T>(SendContext<T> context)
        where T : class
    {
        var row = StoredMessageWriter.Fill(new OutboxMessage(), context, _timeProvider.GetUtcNow().UtcDateTime);
        lock (_session.DbContext)
            _session.DbContext.Add(row);
        _session.MarkOutboxWritten();
        return Task.CompletedTask;
    }

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);
}
