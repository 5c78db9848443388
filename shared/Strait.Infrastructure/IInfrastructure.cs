namespace Strait.Infrastructure;

/// <summary>A PostgreSQL server and a RabbitMQ broker, found or started; disposing stops what was started.</summary>
public interface IInfrastructure : IAsyncDisposable
{
    /// <summary>
    /// Where the servers came from. PostgreSQL and RabbitMQ are resolved independently; when they differ this is
    /// the one this instance manages more of (<see cref="InfrastructureSource.LocalProcesses"/> over
    /// <see cref="InfrastructureSource.Containers"/> over <see cref="InfrastructureSource.Environment"/>).
    /// </summary>
    InfrastructureSource Source { get; }

    /// <summary>Npgsql connection string of <see cref="InfrastructureOptions.DatabaseName"/>, which exists.</summary>
    string PostgresConnectionString { get; }

    /// <summary>AMQP URI of the broker, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    string RabbitMqConnectionString { get; }

    /// <summary>
    /// OS process ids of the processes this instance started and their descendants, as they are now
    /// (they change on restart); empty for servers from the environment or containers.
    /// </summary>
    IReadOnlyList<int> ProcessIds { get; }

    /// <summary>Stops PostgreSQL (fast shutdown) and starts it again with the same data and port.</summary>
    /// <exception cref="NotSupportedException">The server came from the environment: it is not ours to restart.</exception>
    Task RestartPostgresAsync(CancellationToken ct = default);

    /// <summary>Stops the broker and starts it again with the same data, node and port.</summary>
    /// <exception cref="NotSupportedException">The broker came from the environment: it is not ours to restart.</exception>
    Task RestartRabbitMqAsync(CancellationToken ct = default);

    /// <summary>Creates a new empty database on the same server and returns its connection string.</summary>
    /// <param name="name">Lowercase letters, digits and underscores; a unique name when <c>null</c>.</param>
    /// <param name="ct">Cancels the operation.</param>
    Task<string> CreateDatabaseAsync(string? name = null, CancellationToken ct = default);
}
