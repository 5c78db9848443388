using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging.Outbox;

/// <summary>The inbox claim of a batch consumer that deduplicates its messages itself, in its own transaction.</summary>
public static class InboxClaims
{
    /// <summary>
    /// Inserts the inbox rows of <paramref name="messageIds"/> for <paramref name="consumerId"/>, already consumed (a
    /// rollback removes them, so the messages are consumed again), in one statement; returns the ids that were not
    /// there yet: the first deliveries.
    /// </summary>
    public static async Task<HashSet<Guid>> ClaimAsync(DbContext dbContext, Guid[] messageIds, Guid consumerId, DateTime now,
        CancellationToken cancellationToken)
    {
        var inbox = StoreNames.Inbox(dbContext);
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
        var claimed = await dbContext.Database.SqlQueryRaw<Guid>($$"""
            INSERT INTO {{inbox.QualifiedTable}} (message_id, consumer_id, received, receive_count, consumed, delivered)
            SELECT DISTINCT id, {1}, {2}, 1, {2}, {2} FROM unnest({0}) AS m(id)
            ON CONFLICT (message_id, consumer_id) DO NOTHING
            RETURNING message_id AS "Value"
            """, messageIds, consumerId, now).ToListAsync(cancellationToken);
#pragma warning restore EF1002
        return claimed.ToHashSet();
    }
}
