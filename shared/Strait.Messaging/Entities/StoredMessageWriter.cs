using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;

namespace Strait.Messaging.Entities;

/// <summary>Copies a fully built MassTransit send context into a row, body serialized.</summary>
static class StoredMessageWriter
{
    public static TMessage Fill<TMessage, T>(TMessage row, SendContext<T> context, DateTime now)
        where TMessage : StoredMessage
        where T : class
    {
        if (!context.MessageId.HasValue)
            throw new MessageException(typeof(T), "The SendContext MessageId must be present");

        var body = context.Serializer.GetMessageBody(context);

        row.MessageId = context.MessageId.Value;
        row.ConversationId = context.ConversationId;
        row.CorrelationId = context.CorrelationId;
        row.InitiatorId = context.InitiatorId;
        row.RequestId = context.RequestId;
        row.SourceAddress = context.SourceAddress;
        row.DestinationAddress = context.DestinationAddress;
        row.ResponseAddress = context.ResponseAddress;
        row.FaultAddress = context.FaultAddress;
        row.SentTime = context.SentTime ?? now;
        row.ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString();
        row.MessageType = string.Join(";", context.SupportedMessageTypes);
        row.Body = body.GetString();
        row.ExpirationTime = context.TimeToLive.HasValue ? now + context.TimeToLive : null;

        var serializer = SystemTextJsonMessageSerializer.Instance;
        row.Headers = serializer.SerializeDictionary(context.Headers.GetAll());

        if (context is TransportSendContext<T> transportSendContext)
        {
            var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportSendContext.WritePropertiesTo(properties);
            row.Properties = serializer.SerializeDictionary(properties);
        }

        return row;
    }
}
