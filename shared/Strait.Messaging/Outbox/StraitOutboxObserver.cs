using MassTransit;
using MassTransit.Configuration;
using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging.Outbox;

/// <summary>
/// Puts MassTransit's consume outbox (with our inbox) in front of every consumer and saga of an endpoint, except
/// consumers marked <see cref="ISelfDeduplicatingConsumer"/>: those make their own writes idempotent, publish nothing,
/// and may consume in batches, which the per-message inbox cannot serve.
/// </summary>
sealed class StraitOutboxObserver<TDbContext> : IConsumerConfigurationObserver, ISagaConfigurationObserver
    where TDbContext : DbContext
{
    readonly OutboxConsumePipeSpecificationObserver<TDbContext> _outbox;

    public StraitOutboxObserver(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) =>
        _outbox = new OutboxConsumePipeSpecificationObserver<TDbContext>(endpoint, context);

    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
        if (!typeof(ISelfDeduplicatingConsumer).IsAssignableFrom(typeof(TConsumer)))
            ((IConsumerConfigurationObserver)_outbox).ConsumerConfigured(configurator);
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
        if (!typeof(ISelfDeduplicatingConsumer).IsAssignableFrom(typeof(TConsumer)))
            ((IConsumerConfigurationObserver)_outbox).ConsumerMessageConfigured(configurator);
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga =>
        ((ISagaConfigurationObserver)_outbox).SagaConfigured(configurator);

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance =>
        ((ISagaConfigurationObserver)_outbox).StateMachineSagaConfigured(configurator, stateMachine);

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class =>
        ((ISagaConfigurationObserver)_outbox).SagaMessageConfigured(configurator);
}

/// <summary>
/// A consumer that needs no per-message outbox: its effects are idempotent by themselves (keyed by the message id, or
/// last-writer wins) and it publishes nothing, or it claims its messages in the inbox and writes its outgoing messages
/// to the outbox in its own transaction (<see cref="Sagas.SagaEventBatch{TSaga}"/>), so a redelivery repeats nothing.
/// It may consume <see cref="Batch{T}"/>.
/// </summary>
public interface ISelfDeduplicatingConsumer;
