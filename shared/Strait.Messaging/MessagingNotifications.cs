using System.Collections.Concurrent;
using Npgsql;

namespace Strait.Messaging;

/// <summary>
/// Cross-replica wake-ups: after a commit that wrote outbox or timer rows, a NOTIFY on one channel with
/// the schema and the kind of rows as payload wakes that delivery loop in every replica of that service.
/// </summary>
/// <remarks>
/// The committing process wakes its own loops directly, so the NOTIFY only serves the other replicas; it is
/// coalesced to at most one per <see cref="Window"/> per database, schema and kind. Under load that is one extra
/// transaction per window instead of one per committed message, for at most a window's delay elsewhere.
/// </remarks>
static class MessagingNotifications
{
    public const string Channel = "strait_messaging";
    public const string Outbox = "outbox";
    public const string Scheduler = "scheduler";

    static readonly TimeSpan Window = TimeSpan.FromMilliseconds(25);
    static readonly ConcurrentDictionary<(string ConnectionString, string Payload), Coalescer> Coalescers = new();

    /// <summary>The payload for new rows of one kind (<c>outbox</c> or <c>scheduler</c>) in a schema.</summary>
    public static string Payload(string schema, string kind) => schema + ":" + kind;

    /// <summary>Requests a notification; best effort, the loops also poll.</summary>
    public static void Notify(string connectionString, string schema, string kind) =>
        Coalescers.GetOrAdd((connectionString, Payload(schema, kind)), key => new Coalescer(key.ConnectionString, key.Payload)).Request();

    static async Task SendAsync(string connectionString, string payload)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @payload)", connection);
            command.Parameters.AddWithValue("payload", payload);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
        {
        }
    }

    /// <summary>Sends at once when idle; requests during the following window are folded into one more send.</summary>
    sealed class Coalescer(string connectionString, string payload)
    {
        const int Idle = 0;
        const int Sending = 1;
        const int Pending = 2;
        int _state;

        public void Request()
        {
            while (true)
            {
                switch (Volatile.Read(ref _state))
                {
                    case Idle when Interlocked.CompareExchange(ref _state, Sending, Idle) == Idle:
                        _ = Task.Run(RunAsync);
                        return;
                    case Sending when Interlocked.CompareExchange(ref _state, Pending, Sending) == Sending:
                    case Pending:
                        return;
                }
            }
        }

        async Task RunAsync()
        {
            while (true)
            {
                await SendAsync(connectionString, payload);
                await Task.Delay(Window);
                if (Interlocked.CompareExchange(ref _state, Idle, Sending) == Sending)
                    return;
                Volatile.Write(ref _state, Sending);
            }
        }
    }
}
