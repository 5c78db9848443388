using Npgsql;

namespace Strait.Infrastructure.PostgreSql;

/// <summary>A server named by <c>ConnectionStrings__postgres</c>; used as given, never started or stopped.</summary>
internal sealed class ExternalPostgresServer : IPostgresServer
{
    private readonly string connectionString;

    public ExternalPostgresServer(string connectionString, string defaultDatabase)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = defaultDatabase;
        }

        this.connectionString = builder.ConnectionString;
    }

    public InfrastructureSource Source => InfrastructureSource.Environment;

    public string ConnectionString => connectionString;

    public IReadOnlyList<int> ProcessIds => [];

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    public Task RestartAsync(CancellationToken ct) =>
        throw new NotSupportedException("PostgreSQL comes from ConnectionStrings__postgres: it is not ours to restart.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
