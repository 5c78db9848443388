using System.Text.Json;
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

    /// <summary>Takes every message from <paramref name="queue"/>, in broker order, and returns each envelope's <c>message</c> object.</summary>
    public static async Task<List<JsonElement>> Drain(string rabbitMq, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(rabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<JsonElement>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
        {
            using var envelope = JsonDocument.Parse(result.Body);
            messages.Add(envelope.RootElement.GetProperty("message").Clone());
        }

        return messages;
    }
}
