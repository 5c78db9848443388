using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Strait.Messaging.Entities;

namespace Strait.Messaging;

public static class StraitMessagingModelBuilderExtensions
{
    /// <summary>
    /// The outbox rows waiting for the delivery service: the filter of <c>ix_outbox_messages_pending</c> and the delivery
    /// scan's condition, one text, since PostgreSQL uses a partial index only for a query that implies its filter.
    /// </summary>
    internal const string PendingOutboxRows = "inbox_message_id IS NULL";

    /// <summary>
    /// Maps the messaging tables (<c>inbox_state</c>, <c>outbox_messages</c>, <c>scheduled_messages</c>)
    /// into the context's default schema, so they land in the service's own migrations.
    /// </summary>
    public static ModelBuilder AddStraitMessagingEntities(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxState>(inbox =>
        {
            inbox.ToTable("inbox_state");
            inbox.HasKey(x => new { x.MessageId, x.ConsumerId });
            inbox.Property(x => x.MessageId).HasColumnName("message_id");
            inbox.Property(x => x.ConsumerId).HasColumnName("consumer_id");
            inbox.Property(x => x.Received).HasColumnName("received");
            inbox.Property(x => x.ReceiveCount).HasColumnName("receive_count");
            inbox.Property(x => x.Consumed).HasColumnName("consumed");
            inbox.Property(x => x.Delivered).HasColumnName("delivered");
            inbox.Property(x => x.LastSequenceNumber).HasColumnName("last_sequence_number");
            inbox.HasIndex(x => x.Delivered).HasDatabaseName("ix_inbox_state_delivered");
        });

        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(x => x.SequenceNumber);
            outbox.Property(x => x.SequenceNumber).HasColumnName("sequence_number").UseIdentityAlwaysColumn();
            outbox.Property(x => x.InboxMessageId).HasColumnName("inbox_message_id");
            outbox.Property(x => x.InboxConsumerId).HasColumnName("inbox_consumer_id");
            MapStoredMessage(outbox);
            // Rows a consumer wrote keyed by its inbox row (before consumer messages joined the shared outbox) are
            // read by that key; every other row is pending delivery and read oldest first. Each index covers only its
            // own rows, so an insert writes one entry besides the key, and the delivery scan reads the next batch in
            // order instead of sorting the whole backlog.
            outbox.HasIndex(x => new { x.InboxMessageId, x.InboxConsumerId, x.SequenceNumber })
                .HasDatabaseName("ix_outbox_messages_inbox")
                .HasFilter("inbox_message_id IS NOT NULL");
            outbox.HasIndex(x => x.SequenceNumber)
                .HasDatabaseName("ix_outbox_messages_pending")
                .HasFilter(PendingOutboxRows);
        });

        modelBuilder.Entity<ScheduledMessage>(scheduled =>
        {
            scheduled.ToTable("scheduled_messages");
            scheduled.HasKey(x => x.TokenId);
            scheduled.Property(x => x.TokenId).HasColumnName("token_id").ValueGeneratedNever();
            scheduled.Property(x => x.DueTime).HasColumnName("due_time");
            scheduled.Property(x => x.Created).HasColumnName("created");
            MapStoredMessage(scheduled);
            scheduled.HasIndex(x => x.DueTime).HasDatabaseName("ix_scheduled_messages_due_time");
        });

        return modelBuilder;
    }

    static void MapStoredMessage<TMessage>(EntityTypeBuilder<TMessage> message)
        where TMessage : StoredMessage
    {
        message.Property(x => x.MessageId).HasColumnName("message_id");
        message.Property(x => x.ConversationId).HasColumnName("conversation_id");
        message.Property(x => x.CorrelationId).HasColumnName("correlation_id");
        message.Property(x => x.InitiatorId).HasColumnName("initiator_id");
        message.Property(x => x.RequestId).HasColumnName("request_id");
        message.Property(x => x.SourceAddress).HasColumnName("source_address").HasMaxLength(256);
        message.Property(x => x.DestinationAddress).HasColumnName("destination_address").HasMaxLength(256);
        message.Property(x => x.ResponseAddress).HasColumnName("response_address").HasMaxLength(256);
        message.Property(x => x.FaultAddress).HasColumnName("fault_address").HasMaxLength(256);
        message.Property(x => x.SentTime).HasColumnName("sent_time");
        message.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
        message.Property(x => x.ContentType).HasColumnName("content_type").HasMaxLength(256);
        message.Property(x => x.MessageType).HasColumnName("message_type");
        message.Property(x => x.Body).HasColumnName("body");
        message.Property(x => x.Headers).HasColumnName("headers");
        message.Property(x => x.Properties).HasColumnName("properties");
    }
}
