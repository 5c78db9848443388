using Npgsql;
using Strait.Dispatcher.Data;
using Strait.Events.Data;
using Strait.RunsApi.Data;
using Strait.SdkIngest.Data;

namespace Strait.IntegrationTests.Platform;

/// <summary>
/// What the platform's stores hold about one run, for the message of a wait that timed out: its row in the dispatch
/// queue (pending, active with a lease, or gone), the queue's totals, and what each service's outbox has not sent yet.
/// That tells a stalled dispatch (no queue row: the message never arrived), a stalled admission (pending) and a stalled
/// report (active long after the call) apart.
/// </summary>
public static class StoreSnapshot
{
    private static readonly string[] Schemas = [RunsDbContext.Schema, DispatcherDbContext.Schema, IngestDbContext.Schema, EventsDbContext.Schema];

    public static async Task<string> DescribeAsync(string postgres, Guid runId)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            var parts = new List<string>
            {
                "queue row " + await RowsAsync(connection, $"""
                    SELECT status || ' wait=' || coalesce(wait_reason, '-') || ' lease=' || coalesce(lease_owner, '-')
                        || ' enqueued=' || to_char(enqueued_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS')
                        || ' started=' || coalesce(to_char(started_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), '-')
                    FROM {DispatcherDbContext.Schema}.dispatch_queue WHERE run_id = @run ORDER BY attempt
                    """, runId),
                "queue " + await RowsAsync(connection,
                    $"SELECT status || '=' || count(*) FROM {DispatcherDbContext.Schema}.dispatch_queue GROUP BY status ORDER BY status", runId),
            };
            foreach (var schema in Schemas)
            {
                parts.Add($"{schema} outbox " + await RowsAsync(connection, $"""
                    SELECT count(*) || ' unsent, of this run: ' || coalesce(string_agg(
                        CASE WHEN correlation_id = @run THEN regexp_replace(split_part(message_type, ';', 1), '^.*:', '') END, ','), '-')
                    FROM {schema}.outbox_messages WHERE inbox_message_id IS NULL
                    """, runId));
            }

            return string.Join("; ", parts);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            return $"stores unknown ({exception.Message})";
        }
    }

    private static async Task<string> RowsAsync(NpgsqlConnection connection, string sql, Guid runId)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("run", runId);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.IsDBNull(0) ? "null" : reader.GetString(0));
        }

        return rows.Count == 0 ? "[none]" : $"[{string.Join(", ", rows)}]";
    }
}
