using Npgsql;

namespace Strait.Messaging;

/// <summary>
/// Cross-replica wake-ups: after a commit that wrote outbox or timer rows, a NOTIFY on one channel with
/// the schema as payload wakes the delivery loops of every replica of that service.
/// </summary>
static class MessagingNotifications
{
    public const string Channel = "strait_messaging";

    /// <summary>Sends the notification on a pooled connection; best effort, the loops also poll.</summary>
    public static async Task NotifyAsync(string connectionString, string schema)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @schema)", connection);
            command.Parameters.AddWithValue("schema", schema);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
        }
    }
}
