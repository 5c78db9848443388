namespace Strait.Infrastructure;

/// <summary>How <see cref="LocalInfrastructure.StartAsync"/> finds or starts PostgreSQL and RabbitMQ.</summary>
public sealed class InfrastructureOptions
{
    /// <summary>
    /// Folder for server data. <c>null</c>: a throw-away temporary folder deleted on dispose (tests).
    /// Set: persistent data reused by the next start (the app host uses <c>&lt;repo&gt;/.strait</c>).
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The database <see cref="IInfrastructure.PostgresConnectionString"/> points at; created if missing.</summary>
    public string DatabaseName { get; init; } = "strait";

    /// <summary>Receives progress lines (which source was chosen, ports, timings).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Where <c>ConnectionStrings__postgres</c>, <c>ConnectionStrings__rabbitmq</c> and <c>DOCKER_HOST</c> are read.
    /// Tests substitute a lookup rather than change the process environment that other tests share.
    /// </summary>
    public Func<string, string?> ReadEnvironment { get; init; } = Environment.GetEnvironmentVariable;
}
