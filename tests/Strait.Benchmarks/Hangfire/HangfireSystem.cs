using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Strait.Benchmarks.Compare;

namespace Strait.Benchmarks.Hangfire;

/// <summary>
/// Hangfire.Core + Hangfire.PostgreSql in this process, on a database of its own on the platform's PostgreSQL server
/// (recreated empty at the start). Workers fetch with LISTEN/NOTIFY (<c>EnableLongPolling</c>) and a 1 s safety poll,
/// Hangfire's low-latency setting (the default is a 15 s poll).
/// </summary>
public sealed class HangfireSystem
{
    public const string DatabaseName = "strait_bench_hangfire";
    private const string Schema = "hangfire";

    private readonly PostgreSqlStorage storage;
    private readonly BackgroundJobClient client;

    private HangfireSystem(string connectionString, PostgreSqlStorage storage)
    {
        ConnectionString = connectionString;
        this.storage = storage;
        client = new BackgroundJobClient(storage);
    }

    public string ConnectionString { get; }

    public static async Task<HangfireSystem> CreateAsync(PostgresCommits server, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(server.ServerConnectionString))
        {
            await connection.OpenAsync(ct);
            foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", $"CREATE DATABASE {DatabaseName}" })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        var connectionString = server.ConnectionStringFor(DatabaseName);
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(1),
        };
        return new HangfireSystem(connectionString, new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options));
    }

    /// <summary>Enqueues one job that POSTs to <paramref name="url"/>; returns its id.</summary>
    public string Enqueue(Uri url)
    {
        var target = url.ToString();
        return client.Enqueue(() => HangfireNoopJob.PostAsync(target, null));
    }

    public BackgroundJobServer StartServer(int workers) =>
        new(new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "strait-bench" }, storage);

    /// <summary>The jobs among <paramref name="ids"/> that succeeded, with the time Hangfire recorded the Succeeded state.</summary>
    public async Task<List<(string Id, DateTimeOffset SucceededAt)>> SucceededAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"SELECT j.id, s.createdat FROM {Schema}.job j JOIN {Schema}.state s ON s.id = j.stateid WHERE j.statename = 'Succeeded' AND j.id = ANY($1)",
            connection);
        command.Parameters.AddWithValue(ids.Select(id => long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var succeeded = new List<(string, DateTimeOffset)>(ids.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Hangfire writes DateTime.UtcNow into the state row, whether the column carries a zone or not.
            var at = DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc);
            succeeded.Add((reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), new DateTimeOffset(at)));
        }

        return succeeded;
    }
}
