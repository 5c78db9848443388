using MassTransit;
using MassTransit.DependencyInjection;

namespace Strait.Messaging.Outbox;

/// <summary>
/// Chooses what <c>IPublishEndpoint</c>/<c>ISendEndpointProvider</c> mean in a scope: inside a consumer the
/// consume context (and so its outbox: what a service the consumer calls publishes commits with the consumer's
/// writes), anywhere else the bus outbox on the scope's DbContext.
/// </summary>
public sealed class StraitScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public StraitScopedBusContextProvider(IBus bus, StraitMessagingSession session, Bind<IBus, IClientFactory> clientFactory,
        Bind<IBus, IScopedConsumeContextProvider> busConsumeContextProvider, IScopedConsumeContextProvider globalConsumeContextProvider,
        IServiceProvider provider, TimeProvider timeProvider)
    {
        // The consume context itself, not MassTransit's ConsumeContextScopedBusContext<IBus>: that one publishes through
        // the bus with the consume context's headers, past the outbox proxy, so a consumer's injected IPublishEndpoint
        // would reach the broker before (or without) the consume transaction's commit.
        if (busConsumeContextProvider.Value.HasContext)
            Context = new ConsumeContextScopedBusContext(busConsumeContextProvider.Value.GetContext(), clientFactory.Value);
        else if (globalConsumeContextProvider.HasContext)
            Context = new ConsumeContextScopedBusContext(globalConsumeContextProvider.GetContext(), clientFactory.Value);
        else
            Context = new StraitBusOutboxContext(bus, session, clientFactory.Value, provider, timeProvider);
    }

    public ScopedBusContext Context { get; }
}
