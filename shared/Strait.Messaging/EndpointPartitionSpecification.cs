using MassTransit;
using MassTransit.Configuration;

namespace Strait.Messaging;

/// <summary>
/// The endpoint's partitioner by correlation id (one instance's messages one at a time per process), decided when the
/// endpoint's pipe is built, after its consumers are configured: it is left out when every consumer of the endpoint is
/// an <see cref="IUnpartitionedConsumer"/> and no saga is on it.
/// </summary>
/// <remarks>
/// A batch consumer holds each message of a batch in its partition until the batch is done, so behind a partitioner a
/// batch takes at most one message per partition (16) and then waits out its time limit: that capped the status-copy
/// consumers at about 16 messages per 50 ms, behind the rate the run saga publishes at 200 runs/s.
/// </remarks>
sealed class EndpointPartitionSpecification : IPipeSpecification<ConsumeContext>, IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    readonly PartitionerPipeSpecification<ConsumeContext> _partitioner;
    bool _anyPartitioned;
    bool _anyUnpartitioned;

    EndpointPartitionSpecification(int partitionCount, Func<ConsumeContext, Guid> key) =>
        _partitioner = new PartitionerPipeSpecification<ConsumeContext>(context => key(context).ToByteArray(), partitionCount);

    /// <summary>Adds the partitioner to <paramref name="endpoint"/>'s pipe, where the filters added after it run inside it.</summary>
    public static void AddTo(IReceiveEndpointConfigurator endpoint, int partitionCount, Func<ConsumeContext, Guid> key)
    {
        var specification = new EndpointPartitionSpecification(partitionCount, key);
        endpoint.AddPipeSpecification(specification);
        endpoint.ConnectConsumerConfigurationObserver(specification);
        endpoint.ConnectSagaConfigurationObserver(specification);
    }

    public void Apply(IPipeBuilder<ConsumeContext> builder)
    {
        if (_anyPartitioned || !_anyUnpartitioned)
            _partitioner.Apply(builder);
    }

    public IEnumerable<ValidationResult> Validate() => _partitioner.Validate();

    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
        if (typeof(IUnpartitionedConsumer).IsAssignableFrom(typeof(TConsumer)))
            _anyUnpartitioned = true;
        else
            _anyPartitioned = true;
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga => _anyPartitioned = true;

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance => _anyPartitioned = true;

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
    }
}

/// <summary>
/// A consumer whose effects do not depend on the order or the concurrency of one instance's messages (each write keeps
/// the newest by the message's own time, or is keyed by the message id), so its endpoint needs no partitioner. Meant for
/// <see cref="Batch{T}"/> consumers, whose batches a partitioner caps at one message per partition.
/// </summary>
public interface IUnpartitionedConsumer;
