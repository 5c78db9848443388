using MassTransit;
using MassTransit.DependencyInjection;

namespace Strait.Messaging.Outbox;

/// <summary>
/// Chooses what <c>IPublishEndpoint</c>/<c>ISendEndpointProvider</c> mean in a scope: inside a consumer the
/// consume context (and so its outbox), anywhere else the bus outbox on the scope's DbContext.
/// </summary>
public sealed class StraitScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public StraitScopedBusContextProvider(IBus bus, StraitMessagingSession session, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> busConsumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider, TimeProvider timeProvider)
    {
        if (busConsumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext<IBus>(bus, busConsumeContextProvider.Value.GetContext(), clientFactory.Value, provider);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext<IBus>(bus, globalConsumeContextProvider.GetContext(), clientFactory.Value, provider);
        else
            Context = new StraitBusOutboxContext(bus, session, clientFactory.Value, provider, timeProvider);
    }

    public ScopedBusContext Context { get; }
}
