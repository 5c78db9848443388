using System.Text;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Strait.Contracts.Runs;
using Strait.Events.Consumers;
using Strait.Events.Data;
using Strait.IntegrationTests.Platform;
using Strait.Messaging;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.IntegrationTests.Messaging;

/// <summary>Probe message type: its exchange is this test's own.</summary>
public sealed record ObsoleteTopologyProbe(int N);

/// <summary>
/// Entities an earlier version declared are removed from the real broker (<see cref="ObsoleteTopologyCleanup"/>): a
/// binding of a message type to an endpoint that stays, and a whole endpoint with messages in its queue.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ObsoleteTopologyTests(PlatformFixture fixture)
{
    private readonly StraitPlatform platform = fixture.Platform;

    [Fact]
    public async Task Binding_IsRemoved_AndTheEndpointKeepsItsOtherMessages()
    {
        var services = platform.ServicesOf<RunsDbContext>();
        var bus = services.GetRequiredService<IBus>();
        var source = bus.Topology.Message<ObsoleteTopologyProbe>().EntityName;
        var endpoint = "probe-" + Guid.NewGuid().ToString("N")[..8];
        var other = endpoint + "-other";
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true);
        await channel.ExchangeDeclareAsync(other, ExchangeType.Fanout, durable: true);
        await channel.ExchangeDeclareAsync(endpoint, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(endpoint, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(endpoint, endpoint, "");
        await channel.ExchangeBindAsync(endpoint, source, "");
        await channel.ExchangeBindAsync(endpoint, other, "");
        await PublishAsync(channel, source);
        Assert.Equal(1u, await CountAsync(endpoint, 1));

        var cleanup = Cleanup(services, new ObsoleteTopology().Binding<ObsoleteTopologyProbe>(_ => endpoint));
        await cleanup.RemoveAsync(CancellationToken.None);

        await PublishAsync(channel, source);
        await PublishAsync(channel, other);
        Assert.Equal(2u, await CountAsync(endpoint, 2));
        await Task.Delay(300);
        Assert.Equal(2u, await CountAsync(endpoint, 2));
        // Once gone, again: nothing to do, no error.
        await cleanup.RemoveAsync(CancellationToken.None);
        await channel.QueueDeleteAsync(endpoint);
        await channel.ExchangeDeleteAsync(endpoint);
        await channel.ExchangeDeleteAsync(other);
    }

    [Fact]
    public async Task Endpoint_QueueAndExchangeAreDeleted_WithWhatWasInTheQueue()
    {
        var services = platform.ServicesOf<RunsDbContext>();
        var endpoint = "probe-" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(endpoint, ExchangeType.Fanout, durable: true);
            await channel.QueueDeclareAsync(endpoint, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(endpoint, endpoint, "");
            await PublishAsync(channel, endpoint);
            Assert.Equal(1u, await CountAsync(endpoint, 1));
        }

        var cleanup = Cleanup(services, new ObsoleteTopology().Endpoint(_ => endpoint));
        await cleanup.RemoveAsync(CancellationToken.None);

        Assert.False(await ExistsAsync(connection, c => c.QueueDeclarePassiveAsync(endpoint)));
        Assert.False(await ExistsAsync(connection, c => c.ExchangeDeclarePassiveAsync(endpoint)));
        await cleanup.RemoveAsync(CancellationToken.None);
    }

    [Fact]
    public async Task EventsService_RemovesTheEndpointOfItsFormerRunStatusChangedConsumer()
    {
        var services = platform.ServicesOf<EventsDbContext>();
        var bus = services.GetRequiredService<IBus>();
        var formatter = services.GetRequiredService<IEndpointNameFormatter>();
        // The name that version's consumer had, next to one this version still has.
        var endpoint = formatter.Consumer<RunLeftWaitConsumer>().Replace("run-left-wait", "run-status-changed", StringComparison.Ordinal);
        var source = bus.Topology.Message<RunStatusChanged>().EntityName;
        await using var connection = await ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true);
            await channel.ExchangeDeclareAsync(endpoint, ExchangeType.Fanout, durable: true);
            await channel.QueueDeclareAsync(endpoint, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(endpoint, endpoint, "");
            await channel.ExchangeBindAsync(endpoint, source, "");
        }

        await services.GetRequiredService<ObsoleteTopologyCleanup>().RemoveAsync(CancellationToken.None);

        Assert.False(await ExistsAsync(connection, c => c.QueueDeclarePassiveAsync(endpoint)));
        Assert.False(await ExistsAsync(connection, c => c.ExchangeDeclarePassiveAsync(endpoint)));
        // sdk-ingest's endpoint of the same message is untouched.
        var ingest = platform.ServicesOf<Strait.SdkIngest.Data.IngestDbContext>().GetRequiredService<IEndpointNameFormatter>()
            .Consumer<Strait.SdkIngest.Consumers.RunStatusChangedConsumer>();
        Assert.True(await ExistsAsync(connection, c => c.QueueDeclarePassiveAsync(ingest)));
    }

    [Fact]
    public async Task RunsApi_RemovesTheOutcomesBindingsToTheSagaEndpoint_WhichStillExists()
    {
        var services = platform.ServicesOf<RunsDbContext>();
        var bus = services.GetRequiredService<IBus>();
        var saga = services.GetRequiredService<IEndpointNameFormatter>().Saga<RunState>();

        var (bindings, endpoints) = services.GetRequiredService<ObsoleteTopologyCleanup>().Names();

        Assert.Equal(
            [
                (bus.Topology.Message<RunDispatchSucceeded>().EntityName, saga),
                (bus.Topology.Message<RunDispatchAccepted>().EntityName, saga),
                (bus.Topology.Message<RunDispatchFailed>().EntityName, saga),
            ],
            bindings);
        Assert.EndsWith("-runs-api-run-state", saga, StringComparison.Ordinal);
        Assert.Empty(endpoints);
        await using var connection = await ConnectAsync();
        Assert.True(await ExistsAsync(connection, c => c.ExchangeDeclarePassiveAsync(saga)));
    }

    private static ObsoleteTopologyCleanup Cleanup(IServiceProvider services, ObsoleteTopology topology) =>
        new(services.GetRequiredService<IBus>(), services.GetRequiredService<IEndpointNameFormatter>(), topology,
            services.GetRequiredService<IConfiguration>(), services.GetRequiredService<ILogger<ObsoleteTopologyCleanup>>());

    private Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new Uri(platform.RabbitMqConnectionString) }.CreateConnectionAsync();

    private static async Task PublishAsync(IChannel channel, string exchange) =>
        await channel.BasicPublishAsync(exchange, "", Encoding.UTF8.GetBytes("{}"));

    private async Task<uint> CountAsync(string queue, uint atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        uint count;
        while ((count = await BrokerQueues.MessageCount(platform.RabbitMqConnectionString, queue)) < atLeast && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return count;
    }

    private static async Task<bool> ExistsAsync(IConnection connection, Func<IChannel, Task> passive)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await passive(channel);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }
}
