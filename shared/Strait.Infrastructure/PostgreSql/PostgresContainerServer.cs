using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Strait.Infrastructure.PostgreSql;

/// <summary>PostgreSQL in a container (Testcontainers), on a fixed host port so a restart keeps the address.</summary>
internal sealed class PostgresContainerServer : IPostgresServer
{
    private const string Image = "postgres:15-alpine";
    private const string Password = "postgres";

    private readonly PostgreSqlContainer container;
    private readonly int port;
    private readonly string databaseName;

    private PostgresContainerServer(PostgreSqlContainer container, int port, string databaseName)
    {
        this.container = container;
        this.port = port;
        this.databaseName = databaseName;
    }

    public InfrastructureSource Source => InfrastructureSource.Containers;

    public string ConnectionString => ConnectionStringFor(databaseName);

    public IReadOnlyList<int> ProcessIds => [];

    public static async Task<PostgresContainerServer> StartAsync(
        string? dataDirectory,
        string databaseName,
        Action<string> log,
        CancellationToken ct)
    {
        var port = FreeTcpPort.Next();
        var builder = new PostgreSqlBuilder(Image)
            .WithUsername("postgres")
            .WithPassword(Password)
            .WithDatabase(databaseName)
            .WithPortBinding(port, 5432)
            .WithCommand("-c", "max_connections=300");
        if (dataDirectory is null)
        {
            builder = builder.WithCommand("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
        }
        else
        {
            // A named volume outlives the container (which Testcontainers removes when we stop), so data persists.
            builder = builder.WithVolumeMount(VolumeName(dataDirectory, "postgres"), "/var/lib/postgresql/data");
        }

        var container = builder.Build();
        log($"PostgreSQL: starting container {Image} on port {port}");
        try
        {
            await container.StartAsync(ct);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }

        return new PostgresContainerServer(container, port, databaseName);
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = container.Hostname,
        Port = port,
        Username = "postgres",
        Password = Password,
        Database = database,
    }.ConnectionString;

    public async Task RestartAsync(CancellationToken ct)
    {
        await container.StopAsync(ct);
        await container.StartAsync(ct);
    }

    public ValueTask DisposeAsync() => container.DisposeAsync();

    internal static string VolumeName(string dataDirectory, string server) =>
        $"strait-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..12]}-{server}";
}
