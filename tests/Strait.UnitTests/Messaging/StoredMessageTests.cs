using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Strait.Messaging.Entities;
using ScheduledMessage = Strait.Messaging.Entities.ScheduledMessage;

namespace Strait.UnitTests.Messaging;

public class StoredMessageTests
{
    [Fact]
    public void Deserialize_StoredHeaders_ExposedToTheSendPipe()
    {
        var tokenId = Guid.NewGuid();
        var message = new ScheduledMessage { Headers = $$"""{"{{MessageHeaders.SchedulingTokenId}}":"{{tokenId}}"}""" };

        message.Deserialize(SystemTextJsonMessageSerializer.Instance);

        var headers = ((MessageContext)message).Headers;
        Assert.Equal(tokenId.ToString(), headers.Get<string>(MessageHeaders.SchedulingTokenId));
    }

    [Fact]
    public void Deserialize_NoHeadersOrProperties_EmptyCollections()
    {
        var message = new OutboxMessage { SequenceNumber = 7 };

        message.Deserialize(SystemTextJsonMessageSerializer.Instance);

        Assert.Empty(((MessageContext)message).Headers.GetAll());
        Assert.Empty(((OutboxMessageContext)message).Properties);
        Assert.Equal(7, ((OutboxMessageContext)message).SequenceNumber);
    }
}
