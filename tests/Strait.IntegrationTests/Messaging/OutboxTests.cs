using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Messaging.Contracts;
using Strait.Messaging.Entities;

namespace Strait.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class OutboxTests(InfrastructureFixture fixture) : MessagingTestClass(fixture, "outbox")
{
    [Fact]
    public async Task HandlerPublish_HostStoppedAfterCommitBeforeDelivery_DeliveredByNextHost()
    {
        var entryId = NewId.NextGuid();
        // Never started: its delivery service cannot run, like a process killed right after the commit.
        await PublishFromHandlerOfUnstartedHost(entryId);

        Assert.Equal(1, await OutboxRows());

        using var restarted = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the committed message");

        await MessageProbe.WaitUntil(async () => await OutboxRows() == 0, TimeSpan.FromSeconds(10), "outbox cleanup");
        Assert.Single(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
    }

    [Fact]
    public async Task HandlerPublish_StoredEnvelope_IsWrittenWithoutIndentation()
    {
        var entryId = NewId.NextGuid();
        await PublishFromHandlerOfUnstartedHost(entryId);

        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        var body = await dbContext.Set<OutboxMessage>().Select(x => x.Body).SingleAsync();
        Assert.Contains(entryId.ToString(), body, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', body);

        using var deliverer = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the compact envelope, consumed");
    }

    [Fact]
    public async Task HandlerPublish_CommittedByAnotherReplica_WakesThisReplicaWithoutWaitingForThePoll()
    {
        var slowPoll = new Dictionary<string, string?> { ["Strait:Messaging:OutboxPollInterval"] = "00:02:00" };
        using var deliverer = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe, slowPoll);
        await Task.Delay(1000); // let its LISTEN connection open and its first look find nothing
        var entryId = NewId.NextGuid();

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        // Another replica that commits but never delivers (not started).
        await PublishFromHandlerOfUnstartedHost(entryId, slowPoll);

        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the message committed by the other replica");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"delivered after {stopwatch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task HandlerPublish_TransactionRolledBack_NothingSent()
    {
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var entryId = NewId.NextGuid();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var dbContext = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
            await using var transaction = await dbContext.Database.BeginTransactionAsync();
            dbContext.Ledger.Add(new LedgerEntry { EntryId = entryId, Recorded = DateTime.UtcNow });
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new EntryRecorded { EntryId = entryId });
            await dbContext.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        // A message committed afterwards is delivered; the rolled-back one must not have been.
        var laterId = NewId.NextGuid();
        await PublishFromHandler(host, laterId);
        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == laterId), TimeSpan.FromSeconds(30),
            "the committed message");
        Assert.DoesNotContain(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
        // The delivered row goes in the delivery's own commit, which can land just after the consumer has seen the message.
        await MessageProbe.WaitUntil(async () => await OutboxRows() == 0, TimeSpan.FromSeconds(10), "outbox cleanup");
    }

    [Fact]
    public async Task ConsumedMessage_DeliveredTwice_HasOneEffect()
    {
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var formatter = host.Services.GetRequiredService<IEndpointNameFormatter>();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{formatter.Consumer<RecordEntryConsumer>()}"));
        var entryId = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        await endpoint.Send(new RecordEntry { EntryId = entryId }, context => context.MessageId = messageId);
        await endpoint.Send(new RecordEntry { EntryId = entryId }, context => context.MessageId = messageId);

        await MessageProbe.WaitUntil(async () => await InboxReceiveCount(messageId) == 2, TimeSpan.FromSeconds(30), "both deliveries");
        await Task.Delay(300);

        Assert.Equal(1, Probe.ConsumerRuns(entryId));
        Assert.Single(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        Assert.Equal(1, await dbContext.Ledger.CountAsync(x => x.EntryId == entryId));
    }

    [Fact]
    public async Task FirstDelivery_ConsumerFails_RolledBackAndConsumedByTheRetry()
    {
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var formatter = host.Services.GetRequiredService<IEndpointNameFormatter>();
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{formatter.Consumer<RecordEntryConsumer>()}"));
        var entryId = NewId.NextGuid();
        var messageId = NewId.NextGuid();

        // The first attempt writes its ledger row and publishes, then fails: its inbox row (inserted as consumed)
        // must go with the rollback, or the retry would take the message for done.
        await endpoint.Send(new RecordEntry { EntryId = entryId, FailFirstAttempts = 1 }, context => context.MessageId = messageId);

        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the retried attempt's message");
        await Task.Delay(300);

        Assert.Equal(2, Probe.ConsumerRuns(entryId));
        Assert.Single(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        Assert.Equal(1, await dbContext.Ledger.CountAsync(x => x.EntryId == entryId));
        var inbox = await dbContext.Set<InboxState>().SingleAsync(x => x.MessageId == messageId);
        Assert.NotNull(inbox.Consumed);
    }

    [Fact]
    public async Task ConsumerPublish_ProcessLeftBeforeDelivery_DeliveredByNextHostWithoutConsumingAgain()
    {
        var entryId = NewId.NextGuid();
        var noDelivery = new Dictionary<string, string?> { ["Strait:Messaging:DeliverOutbox"] = "false" };
        using (var consumer = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe, noDelivery))
        {
            // The consume transaction commits the ledger row and the outgoing message together; this process
            // never sends it, like one killed right after the commit.
            var formatter = consumer.Services.GetRequiredService<IEndpointNameFormatter>();
            var endpoint = await consumer.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{formatter.Consumer<RecordEntryConsumer>()}"));
            await endpoint.Send(new RecordEntry { EntryId = entryId });
            await MessageProbe.WaitUntil(async () => await OutboxRows() == 1, TimeSpan.FromSeconds(30), "the committed outgoing message");
            Assert.Equal(1, Probe.ConsumerRuns(entryId));
            Assert.DoesNotContain(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
            await MessagingTestHost.Isolated(() => consumer.StopAsync());
        }

        using var next = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the message the first process committed");
        await MessageProbe.WaitUntil(async () => await OutboxRows() == 0, TimeSpan.FromSeconds(10), "outbox cleanup");
        await Task.Delay(300);

        Assert.Equal(1, Probe.ConsumerRuns(entryId));
        Assert.Single(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        Assert.Equal(1, await dbContext.Ledger.CountAsync(x => x.EntryId == entryId));
    }

    [Fact]
    public async Task ConsumerPublishThroughInjectedEndpoint_FailedAttemptSendsNothing_TheRetryCommitsItWithTheWrites()
    {
        var entryId = NewId.NextGuid();
        var noDelivery = new Dictionary<string, string?> { ["Strait:Messaging:DeliverOutbox"] = "false" };
        using (var consumer = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe, noDelivery))
        {
            // The first attempt publishes and then fails. Through the outbox its message goes with the rollback, and the
            // retry's is a row committed with the ledger row: nothing reaches the broker while delivery is off.
            var formatter = consumer.Services.GetRequiredService<IEndpointNameFormatter>();
            var endpoint = await consumer.Services.GetRequiredService<IBus>()
                .GetSendEndpoint(new Uri($"queue:{formatter.Consumer<InjectedPublishRecordEntryConsumer>()}"));
            await endpoint.Send(new RecordEntry { EntryId = entryId, FailFirstAttempts = 1 });
            await MessageProbe.WaitUntil(async () => await OutboxRows() == 1, TimeSpan.FromSeconds(30), "the retry's committed message");
            await Task.Delay(300);
            Assert.Equal(2, Probe.ConsumerRuns(entryId));
            Assert.DoesNotContain(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
            await MessagingTestHost.Isolated(() => consumer.StopAsync());
        }

        using var next = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Any(x => x.Key == entryId), TimeSpan.FromSeconds(30),
            "the committed message");
        await Task.Delay(300);
        Assert.Single(Probe.Observations<EntryRecorded>(), x => x.Key == entryId);
    }

    [Fact]
    public async Task HandlerPublishes_BrokerRestartedMidStream_AllCommittedMessagesDelivered()
    {
        const int total = 150;
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var ids = Enumerable.Range(0, total).Select(_ => NewId.NextGuid()).ToList();

        var producer = Task.Run(async () =>
        {
            foreach (var id in ids)
            {
                await PublishFromHandler(host, id);
                await Task.Delay(15);
            }
        });

        await MessageProbe.WaitUntil(() => Probe.Observations<EntryRecorded>().Count >= total / 5, TimeSpan.FromSeconds(30), "traffic to start");
        await Fixture.Infrastructure.RestartRabbitMqAsync();
        await producer;

        await MessageProbe.WaitUntil(() => ids.All(id => Probe.Observations<EntryRecorded>().Any(x => x.Key == id)), TimeSpan.FromSeconds(90),
            "every committed message");
        // A batch's rows are deleted once the broker confirmed its last message, which a consumer may already have
        // received: the rows go soon after, not necessarily before the last observation.
        await MessageProbe.WaitUntil(async () => await OutboxRows() == 0, TimeSpan.FromSeconds(10), "outbox cleanup");
    }

    [Fact]
    public async Task HandlerSends_ManyTransactions_ReachTheBrokerInCommitOrder()
    {
        using var host = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var queue = Prefix + "-ordered";
        const int transactions = 10;
        const int perTransaction = 10;

        await SendOrderedPings(host.Services, queue, transactions, perTransaction);

        await MessageProbe.WaitUntil(async () => await BrokerQueues.MessageCount(RabbitMq, queue) >= transactions * perTransaction,
            TimeSpan.FromSeconds(30), "every message in the queue");
        var sequences = await DrainSequences(queue);

        Assert.Equal(Enumerable.Range(0, transactions * perTransaction), sequences);
    }

    [Fact]
    public async Task HandlerSends_TwoReplicasDelivering_EachMessageReachesTheBrokerOnceInCommitOrder()
    {
        // Both replicas deliver the same outbox table while one of them commits: the delivery lock, not row locks, keeps
        // a second deliverer from sending a batch the first has read but not yet deleted.
        using var committer = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        using var other = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var queue = Prefix + "-two-replicas";
        const int transactions = 40;
        const int perTransaction = 5;

        await SendOrderedPings(committer.Services, queue, transactions, perTransaction);

        await MessageProbe.WaitUntil(async () => await OutboxRows() == 0, TimeSpan.FromSeconds(30), "every row delivered");
        await MessageProbe.WaitUntil(async () => await BrokerQueues.MessageCount(RabbitMq, queue) >= transactions * perTransaction,
            TimeSpan.FromSeconds(30), "every message in the queue");
        await Task.Delay(500); // a duplicate sent late would land by now
        var sequences = await DrainSequences(queue);

        Assert.Equal(Enumerable.Range(0, transactions * perTransaction), sequences);
    }

    /// <summary>Sends <c>OrderedPing</c>s numbered 0, 1, … to <paramref name="queue"/>, <paramref name="perTransaction"/> per committed handler transaction.</summary>
    static async Task SendOrderedPings(IServiceProvider services, string queue, int transactions, int perTransaction)
    {
        for (var t = 0; t < transactions; t++)
        {
            await using var scope = services.CreateAsyncScope();
            var endpoint = await scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri($"queue:{queue}"));
            for (var m = 0; m < perTransaction; m++)
                await endpoint.Send(new OrderedPing { Sequence = t * perTransaction + m });
            await scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>().SaveChangesAsync();
        }
    }

    async Task<List<int>> DrainSequences(string queue) =>
        (await BrokerQueues.Drain(RabbitMq, queue)).Select(x => x.GetProperty("sequence").GetInt32()).ToList();

    /// <summary>Commits a handler's publish on a host that is built but never started, so nothing of it delivers.</summary>
    Task PublishFromHandlerOfUnstartedHost(Guid entryId, Dictionary<string, string?>? settings = null) =>
        MessagingTestHost.Isolated(async () =>
        {
            using var committer = MessagingTestHost.Build(Postgres, RabbitMq, Prefix, Probe, settings);
            await PublishFromHandler(committer.Services, entryId);
        });

    static async Task PublishFromHandler(IServiceProvider services, Guid entryId)
    {
        await using var scope = services.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<MessagingTestDbContext>();
        dbContext.Ledger.Add(new LedgerEntry { EntryId = entryId, Recorded = DateTime.UtcNow });
        await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new EntryRecorded { EntryId = entryId });
        await dbContext.SaveChangesAsync();
    }

    static Task PublishFromHandler(Microsoft.Extensions.Hosting.IHost host, Guid entryId) => PublishFromHandler(host.Services, entryId);

    async Task<int> OutboxRows()
    {
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        return await dbContext.Set<OutboxMessage>().CountAsync();
    }

    async Task<int> InboxReceiveCount(Guid messageId)
    {
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        return await dbContext.Set<InboxState>().Where(x => x.MessageId == messageId).Select(x => x.ReceiveCount).SingleOrDefaultAsync();
    }
}
