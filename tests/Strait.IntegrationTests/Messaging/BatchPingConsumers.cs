using MassTransit;
using Strait.IntegrationTests.Messaging.Contracts;
using Strait.Messaging;
using Strait.Messaging.Outbox;

namespace Strait.IntegrationTests.Messaging;

/// <summary>One batch a test batch consumer received: which consumer, and how many messages it held.</summary>
public sealed record BatchConsumed(string Consumer, int Size);

/// <summary>Records the size of every batch of pings it gets, under its own type's name.</summary>
public abstract class BatchPingConsumer(MessageProbe probe) : IConsumer<Batch<BatchPing>>, ISelfDeduplicatingConsumer
{
    public const int MessageLimit = 64;

    public Task Consume(ConsumeContext<Batch<BatchPing>> context)
    {
        probe.Observed(NewId.NextGuid(), new BatchConsumed(GetType().Name, context.Message.Length));
        return Task.CompletedTask;
    }
}

/// <summary>On an endpoint with the usual partitioner by correlation id.</summary>
public sealed class PartitionedBatchConsumer(MessageProbe probe) : BatchPingConsumer(probe);

/// <summary>Declared <see cref="IUnpartitionedConsumer"/>: its endpoint has no partitioner.</summary>
public sealed class UnpartitionedBatchConsumer(MessageProbe probe) : BatchPingConsumer(probe), IUnpartitionedConsumer;
