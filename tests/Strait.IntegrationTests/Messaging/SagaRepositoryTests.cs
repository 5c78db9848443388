using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Messaging.Contracts;

namespace Strait.IntegrationTests.Messaging;

[Collection(InfrastructureCollection.Name)]
public sealed class SagaRepositoryTests(InfrastructureFixture fixture) : MessagingTestClass(fixture, "saga")
{
    [Fact]
    public async Task ConcurrentEvents_ForOneInstanceOnTwoReplicas_NoLostUpdate()
    {
        const int increments = 200;
        using var replicaA = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        using var replicaB = await MessagingTestHost.StartAsync(Postgres, RabbitMq, Prefix, Probe);
        var bus = replicaA.Services.GetRequiredService<IBus>();
        var id = NewId.NextGuid();

        // Duplicate initial events race the increments (which may also create the instance), on two replicas.
        var publishes = Enumerable.Range(0, 10).Select(_ => bus.Publish(new CounterStarted { CorrelationId = id }))
            .Concat(Enumerable.Range(0, increments).Select(_ => bus.Publish(new CounterIncremented { CorrelationId = id })));
        await Task.WhenAll(publishes);

        await MessageProbe.WaitUntil(async () => await CountOf(id) == increments, TimeSpan.FromSeconds(90), "all increments");
        await Task.Delay(500);

        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        var rows = await dbContext.Counters.AsNoTracking().Where(x => x.CorrelationId == id).ToListAsync();
        var counter = Assert.Single(rows);
        Assert.Equal(increments, counter.Count);
        Assert.Equal("Counting", counter.CurrentState);
    }

    async Task<int?> CountOf(Guid id)
    {
        await using var dbContext = MessagingTestHost.OpenDbContext(Postgres);
        return await dbContext.Counters.AsNoTracking().Where(x => x.CorrelationId == id).Select(x => (int?)x.Count).SingleOrDefaultAsync();
    }
}
