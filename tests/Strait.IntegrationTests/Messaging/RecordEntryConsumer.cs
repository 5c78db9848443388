using MassTransit;
using Strait.IntegrationTests.Messaging.Contracts;

namespace Strait.IntegrationTests.Messaging;

/// <summary>Writes a ledger row and publishes that it did, both in the consume transaction.</summary>
public class RecordEntryConsumer(MessagingTestDbContext dbContext, MessageProbe probe) : IConsumer<RecordEntry>
{
    public Task Consume(ConsumeContext<RecordEntry> context) => Record(dbContext, probe, context, context);

    /// <summary>The consumers' body: the ledger row, then the publish through <paramref name="publishEndpoint"/>.</summary>
    internal static async Task Record(MessagingTestDbContext dbContext, MessageProbe probe, ConsumeContext<RecordEntry> context,
        IPublishEndpoint publishEndpoint)
    {
        probe.ConsumerRan(context.Message.EntryId);
        dbContext.Ledger.Add(new LedgerEntry { EntryId = context.Message.EntryId, Recorded = DateTime.UtcNow });
        await publishEndpoint.Publish(new EntryRecorded { EntryId = context.Message.EntryId });
        if (probe.ConsumerRuns(context.Message.EntryId) <= context.Message.FailFirstAttempts)
            throw new InvalidOperationException("This attempt fails after its writes.");
    }
}

/// <summary>
/// <see cref="RecordEntryConsumer"/> with its publish made through an <see cref="IPublishEndpoint"/> taken from the
/// container, as a service the consumer calls would make it: the message must still commit with the ledger row.
/// </summary>
public class InjectedPublishRecordEntryConsumer(MessagingTestDbContext dbContext, MessageProbe probe, IPublishEndpoint publishEndpoint)
    : IConsumer<RecordEntry>
{
    public Task Consume(ConsumeContext<RecordEntry> context) => RecordEntryConsumer.Record(dbContext, probe, context, publishEndpoint);
}
