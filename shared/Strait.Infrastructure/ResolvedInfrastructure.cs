using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;
using Strait.Infrastructure.PostgreSql;
using Strait.Infrastructure.Processes;
using Strait.Infrastructure.RabbitMq;

namespace Strait.Infrastructure;

/// <summary>The PostgreSQL server and RabbitMQ broker <see cref="LocalInfrastructure"/> settled on.</summary>
internal sealed partial class ResolvedInfrastructure : IInfrastructure
{
    private readonly IPostgresServer postgres;
    private readonly IRabbitMqBroker rabbitMq;
    private readonly DataFolder? folder;
    private readonly Action<string> log;
    private readonly OrphanWatchdog? watchdog;
    private int disposed;

    public ResolvedInfrastructure(IPostgresServer postgres, IRabbitMqBroker rabbitMq, DataFolder? folder, Action<string> log)
    {
        this.postgres = postgres;
        this.rabbitMq = rabbitMq;
        this.folder = folder;
        this.log = log;
        if (folder is { IsPersistent: false })
        {
            // A test run that ends without disposing (a crash, an abort, a runner's kill) must not leave servers behind.
            AppDomain.CurrentDomain.ProcessExit += KillOnExit;
            watchdog = OrphanWatchdog.Start(folder.Root);
        }
    }

    public InfrastructureSource Source => (InfrastructureSource)Math.Max((int)postgres.Source, (int)rabbitMq.Source);

    public string PostgresConnectionString => postgres.ConnectionString;

    public string RabbitMqConnectionString => rabbitMq.ConnectionString;

    public IReadOnlyList<int> ProcessIds => [.. postgres.ProcessIds, .. rabbitMq.ProcessIds];

    public Task RestartPostgresAsync(CancellationToken ct = default) => postgres.RestartAsync(ct);

    public Task RestartRabbitMqAsync(CancellationToken ct = default) => rabbitMq.RestartAsync(ct);

    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken ct = default)
    {
        name ??= $"strait_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException("Database names are lowercase letters, digits and underscores (at most 63), starting with a letter or underscore.", nameof(name));
        }

        // CREATE DATABASE runs from any database; the main one is the one we know exists and may use.
        await using var connection = new NpgsqlConnection(Unpooled(postgres.ConnectionString));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
        return postgres.ConnectionStringFor(name);
    }

    /// <summary>Creates the main database when it does not exist yet (concurrent creators are fine).</summary>
    public async Task EnsureMainDatabaseAsync(CancellationToken ct)
    {
        var main = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        try
        {
            await using var probe = new NpgsqlConnection(Unpooled(main.ConnectionString));
            await probe.OpenAsync(ct);
            return;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
        }

        await using var connection = new NpgsqlConnection(Unpooled(postgres.ConnectionStringFor("postgres")));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{main.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
            log($"PostgreSQL: created database {main.Database}");
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            await Task.WhenAll(postgres.DisposeAsync().AsTask(), rabbitMq.DisposeAsync().AsTask());
        }
        finally
        {
            // The watchdog goes last: if we are killed half-way through (test runners do that), it finishes the job.
            folder?.DeleteIfTemporary();
            watchdog?.Dispose();
        }
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    private void KillOnExit(object? sender, EventArgs e)
    {
        if (Volatile.Read(ref disposed) == 1)
        {
            return;
        }

        (postgres as LocalPostgresServer)?.Kill();
        (rabbitMq as LocalRabbitMqBroker)?.Kill();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
