using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Messaging.Contracts;
using Strait.Messaging;

namespace Strait.IntegrationTests.Messaging;

/// <summary>
/// The endpoint partitioner (one instance's messages at a time per process) holds a batch's messages in their partitions
/// until the batch is done, so behind it a batch takes at most one message per partition; an endpoint whose consumers are
/// all <see cref="IUnpartitionedConsumer"/> has no partitioner and its batches fill to their message limit.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class PartitioningTests(InfrastructureFixture fixture) : MessagingTestClass(fixture, "partitions")
{
    const int Messages = BatchPingConsumer.MessageLimit;

    [Fact]
    public async Task BatchOfDistinctInstances_PartitionedEndpointCapsItAtThePartitionCount_UnpartitionedFillsIt()
    {
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var partitionCount = new StraitMessagingOptions().PartitionCount;
        Assert.True(Messages > partitionCount, "the batch limit must exceed the partition count for the test to tell them apart");

        var bus = host.Services.GetRequiredService<IBus>();
        await MessagingTestHost.Isolated(() =>
            bus.PublishBatch(Enumerable.Range(0, Messages).Select(_ => new BatchPing { CorrelationId = NewId.NextGuid() })));

        await MessageProbe.WaitUntil(() => Consumed(nameof(PartitionedBatchConsumer)).Sum() == Messages
                && Consumed(nameof(UnpartitionedBatchConsumer)).Sum() == Messages,
            TimeSpan.FromSeconds(60), "every ping consumed by both batch consumers");

        // Both got every message once; only the unpartitioned one took more than one per partition in a batch.
        Assert.All(Consumed(nameof(PartitionedBatchConsumer)), size => Assert.InRange(size, 1, partitionCount));
        Assert.True(Consumed(nameof(UnpartitionedBatchConsumer)).Max() > partitionCount,
            $"unpartitioned batches: {string.Join(", ", Consumed(nameof(UnpartitionedBatchConsumer)))}");
    }

    List<int> Consumed(string consumer) =>
        Probe.Observations<BatchConsumed>().Where(x => x.Message.Consumer == consumer).Select(x => x.Message.Size).ToList();
}
