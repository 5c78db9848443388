using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Strait.IntegrationTests.Messaging;

/// <summary>Reads queue depths straight from the broker, below MassTransit (and so below the inbox).</summary>
public static class BrokerQueues
{
    public static async Task<uint> MessageCount(string rabbitMq, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(rabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return await channel.MessageCountAsync(queue);
        }
        catch (OperationInterruptedException)
        {
            return 0;
        }
    }
}
