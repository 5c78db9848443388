using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Strait.Benchmarks.Lifecycle;
using Strait.Infrastructure;

namespace Strait.Benchmarks.Compare;

/// <summary>
/// Committed transactions per database from <c>pg_stat_database.xact_commit</c> (read-only statements count too: each
/// is a transaction). Read over a connection to the <c>postgres</c> database, so reading adds nothing to what it counts.
/// A backend reports its counts when it goes idle, at most every second and at the latest 10 s after its last
/// transaction, so a reading is complete only <see cref="FlushDelay"/> after the work stopped.
/// </summary>
public sealed class PostgresCommits(string serverConnectionString)
{
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(11);

    /// <summary>A connection string to the server's <c>postgres</c> database (any database works as a base for others).</summary>
    public string ServerConnectionString { get; } = serverConnectionString;

    /// <summary>
    /// The app host's PostgreSQL: <c>ConnectionStrings__postgres</c> when set (it then names the database the
    /// services use), else the server the app host started under its data folder.
    /// </summary>
    public static (PostgresCommits Server, string StraitDatabase) Locate(StraitSystem system)
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__postgres") is { Length: > 0 } configured)
        {
            var given = new NpgsqlConnectionStringBuilder(configured);
            var database = given.Database ?? new InfrastructureOptions().DatabaseName;
            given.Database = "postgres";
            return (new PostgresCommits(given.ConnectionString), database);
        }

        var folder = ServerFolder(system, "postgres")
            ?? throw new InvalidOperationException("cannot find the app host's PostgreSQL: set ConnectionStrings__postgres");
        var port = int.Parse(File.ReadAllText(Path.Combine(folder, "port")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var server = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres" };

        // The app host starts its infrastructure with the default options: the services share this one database.
        return (new PostgresCommits(server.ConnectionString), new InfrastructureOptions().DatabaseName);
    }

    /// <summary>
    /// <c>&lt;data&gt;/&lt;server&gt;</c>, or where Strait.Infrastructure moves it when it runs as root and the data folder
    /// sits under a folder the service accounts cannot enter (<c>/var/tmp/strait-&lt;hash of the path&gt;</c>).
    /// </summary>
    public static string? ServerFolder(StraitSystem system, string server)
    {
        if (system.DataDirectory is not { } data)
        {
            return null;
        }

        var requested = Path.GetFullPath(data);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..12];
        return new[] { Path.Combine(requested, server), Path.Combine("/var/tmp", $"strait-{hash}", server) }.FirstOrDefault(Directory.Exists);
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;

    public async Task<long> ReadAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(xact_commit), 0)::bigint FROM pg_stat_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(database);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
