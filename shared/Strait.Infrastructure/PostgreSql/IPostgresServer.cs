namespace Strait.Infrastructure.PostgreSql;

/// <summary>A PostgreSQL server from one of the sources.</summary>
internal interface IPostgresServer : IAsyncDisposable
{
    InfrastructureSource Source { get; }

    /// <summary>The main database's connection string (the configured database, or the one the environment named).</summary>
    string ConnectionString { get; }

    IReadOnlyList<int> ProcessIds { get; }

    /// <summary>The same server and credentials, another database.</summary>
    string ConnectionStringFor(string database);

    Task RestartAsync(CancellationToken ct);
}
