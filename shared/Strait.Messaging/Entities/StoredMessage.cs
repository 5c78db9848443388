using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Strait.Messaging.Entities;

/// <summary>
/// A serialized message kept in PostgreSQL until it is handed to the broker: the shape shared by
/// outbox rows and scheduled (timer) rows, readable by MassTransit's <see cref="OutboxMessageSendPipe"/>.
/// </summary>
public abstract class StoredMessage : OutboxMessageContext
{
    Headers? _headers;
    IReadOnlyDictionary<string, object>? _properties;

    public Guid MessageId { get; set; }
    public Guid? ConversationId { get; set; }
    public Guid? CorrelationId { get; set; }
    public Guid? InitiatorId { get; set; }
    public Guid? RequestId { get; set; }
    public Uri? SourceAddress { get; set; }
    public Uri? DestinationAddress { get; set; }
    public Uri? ResponseAddress { get; set; }
    public Uri? FaultAddress { get; set; }
    public DateTime SentTime { get; set; }
    public DateTime? ExpirationTime { get; set; }
    public string ContentType { get; set; } = null!;
    public string MessageType { get; set; } = null!;
    public string Body { get; set; } = null!;

    /// <summary>Message headers as JSON.</summary>
    public string? Headers { get; set; }

    /// <summary>Transport properties (routing key and the like) as JSON.</summary>
    public string? Properties { get; set; }

    long OutboxMessageContext.SequenceNumber => SequenceNumberForDelivery;

    /// <summary>Ordering key used by MassTransit's delivery loop.</summary>
    protected abstract long SequenceNumberForDelivery { get; }

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers ?? EmptyHeaders.Instance;
    HostInfo MessageContext.Host => HostMetadataCache.Host;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties ?? EmptyProperties;

    static readonly Dictionary<string, object> EmptyProperties = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses the stored headers and properties; call before handing the row to a send pipe.</summary>
    public void Deserialize(IObjectDeserializer deserializer)
    {
        _headers = string.IsNullOrWhiteSpace(Headers)
            ? EmptyHeaders.Instance
            : deserializer.DeserializeObject<Dictionary<string, object?>>(Headers) is { Count: > 0 } headers
                ? new DictionarySendHeaders(headers!)
                : EmptyHeaders.Instance;

        _properties = string.IsNullOrWhiteSpace(Properties)
            ? EmptyProperties
            : deserializer.DeserializeObject<Dictionary<string, object>>(Properties) ?? EmptyProperties;
    }
}
