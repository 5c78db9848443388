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
sealed class EndpointPartitionSpecification : IPipeSpecification<ConsumeContext>
{
    readonly PartitionerPipeSpecification<ConsumeContext> _partitioner;
    int _partitioned;
    int _unpartitioned;

    public EndpointPartitionSpecification(int partitionCount, Func<ConsumeContext, Guid> key) =>
        _partitioner = new PartitionerPipeSpecification<ConsumeContext>(context => key(context).ToByteArray(), partitionCount);

    /// <summary>False only when the endpoint's consumers all declared that they need no partitioning.</summary>
    public bool Applies => _partitioned > 0 || _unpartitioned == 0;

    public void ConsumerConfigured(Type consumerType)
    {
        if (typeof(IUnpartitionedConsumer).IsAssignableFrom(consumerType))
            _unpartitioned++;
        else
            _partitioned++;
    }

    public void SagaConfigured() => _partitioned++;

    public void Apply(IPipeBuilder<ConsumeContext> builder)
    {
        if (Applies)
            _partitioner.Apply(builder);
    }

    public IEnumerable<ValidationResult> Validate() => _partitioner.Validate();
}

/// <summary>
/// A consumer whose effects do not depend on the order or the concurrency of one instance's messages (each write keeps
/// the newest by the message's own time, or is keyed by the message id), so its endpoint needs no partitioner. Meant for
/// <see cref="Batch{T}"/> consumers, whose batches a partitioner caps at one message per partition.
/// </summary>
public interface IUnpartitionedConsumer;
