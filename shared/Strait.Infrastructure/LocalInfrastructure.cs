using System.Diagnostics;
using Strait.Infrastructure.PostgreSql;
using Strait.Infrastructure.RabbitMq;

namespace Strait.Infrastructure;

/// <summary>
/// Finds or starts PostgreSQL and RabbitMQ, each independently, in this order: the
/// <c>ConnectionStrings__postgres</c> / <c>ConnectionStrings__rabbitmq</c> environment variables; containers when
/// a Docker engine answers; private processes from the installed binaries. Used by the app host and the tests.
/// </summary>
public static class LocalInfrastructure
{
    public static async Task<IInfrastructure> StartAsync(InfrastructureOptions options, CancellationToken ct = default)
    {
        var log = options.Log ?? (_ => { });
        var stopwatch = Stopwatch.StartNew();
        var postgresFromEnvironment = NullIfEmpty(options.ReadEnvironment("ConnectionStrings__postgres"));
        var rabbitMqFromEnvironment = NullIfEmpty(options.ReadEnvironment("ConnectionStrings__rabbitmq"));
        var useContainers = (postgresFromEnvironment is null || rabbitMqFromEnvironment is null)
            && await DockerEngine.AnswersAsync(options.ReadEnvironment("DOCKER_HOST"), log, ct);

        var needsProcesses = !useContainers && (postgresFromEnvironment is null || rabbitMqFromEnvironment is null);
        if (needsProcesses)
        {
            ThrowIfBinariesMissing(postgresFromEnvironment is null, rabbitMqFromEnvironment is null);
        }

        // Created lazily: a container that fails to start falls back to local processes, which then need it.
        DataFolder? folder = null;
        var folderLock = new Lock();
        DataFolder Folder()
        {
            lock (folderLock)
            {
                return folder ??= DataFolder.Create(options.DataDirectory, Environment.IsPrivilegedProcess, log);
            }
        }

        using var startup = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var postgres = CancelOthersOnFailure(
            StartPostgresAsync(postgresFromEnvironment, useContainers, options, Folder, log, startup.Token), startup);
        var rabbitMq = CancelOthersOnFailure(
            StartRabbitMqAsync(rabbitMqFromEnvironment, useContainers, options, Folder, log, startup.Token), startup);

        ResolvedInfrastructure? infrastructure = null;
        try
        {
            await Task.WhenAll(postgres, rabbitMq);
            infrastructure = new ResolvedInfrastructure(postgres.Result, rabbitMq.Result, folder, log);
            await infrastructure.EnsureMainDatabaseAsync(ct);
            log($"PostgreSQL and RabbitMQ ready ({infrastructure.Source}, {stopwatch.Elapsed.TotalSeconds:0.0} s)");
            return infrastructure;
        }
        catch (Exception exception)
        {
            if (infrastructure is not null)
            {
                await infrastructure.DisposeAsync();
            }
            else
            {
                await DisposeIfStartedAsync(postgres);
                await DisposeIfStartedAsync(rabbitMq);
                folder?.DeleteIfTemporary();
            }

            // Task.WhenAll reports the first task's failure, which may be the cancellation the other one's caused.
            var cause = new[] { postgres.Exception, rabbitMq.Exception }
                .SelectMany(aggregate => aggregate?.InnerExceptions ?? [])
                .FirstOrDefault(inner => inner is not OperationCanceledException);
            if (cause is not null && cause != exception && !ct.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private static async Task<IPostgresServer> StartPostgresAsync(
        string? fromEnvironment,
        bool useContainers,
        InfrastructureOptions options,
        Func<DataFolder> folder,
        Action<string> log,
        CancellationToken ct)
    {
        if (fromEnvironment is not null)
        {
            log("PostgreSQL: using ConnectionStrings__postgres");
            return new ExternalPostgresServer(fromEnvironment, options.DatabaseName);
        }

        if (useContainers)
        {
            try
            {
                return await PostgresContainerServer.StartAsync(options.DataDirectory, options.DatabaseName, log, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                log($"PostgreSQL: the container did not start ({exception.Message}); using local processes");
            }
        }

        return await LocalPostgresServer.StartAsync(folder(), options.DatabaseName, log, ct);
    }

    private static async Task<IRabbitMqBroker> StartRabbitMqAsync(
        string? fromEnvironment,
        bool useContainers,
        InfrastructureOptions options,
        Func<DataFolder> folder,
        Action<string> log,
        CancellationToken ct)
    {
        if (fromEnvironment is not null)
        {
            log("RabbitMQ: using ConnectionStrings__rabbitmq");
            return new ExternalRabbitMqBroker(fromEnvironment);
        }

        if (useContainers)
        {
            try
            {
                return await RabbitMqContainerBroker.StartAsync(options.DataDirectory, log, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                log($"RabbitMQ: the container did not start ({exception.Message}); using local processes");
            }
        }

        return await LocalRabbitMqBroker.StartAsync(folder(), log, ct);
    }

    /// <summary>Checks both before starting either, so one message names everything that is missing.</summary>
    private static void ThrowIfBinariesMissing(bool needPostgres, bool needRabbitMq)
    {
        var missing = new List<string>();
        if (needPostgres && PostgresBinaries.Find() is null)
        {
            missing.Add(PostgresBinaries.InstallHint);
        }

        if (needRabbitMq && RabbitMqBinaries.FindServer() is null)
        {
            missing.Add(RabbitMqBinaries.InstallHint);
        }

        if (missing.Count > 0)
        {
            throw new InfrastructureUnavailableException(
                "Cannot provide PostgreSQL and RabbitMQ: ConnectionStrings__postgres / ConnectionStrings__rabbitmq are not "
                + "set, no Docker engine answers, and " + string.Join("; ", missing)
                + ". Install them, start Docker, or set the connection strings.");
        }
    }

    private static async Task<T> CancelOthersOnFailure<T>(Task<T> task, CancellationTokenSource startup)
    {
        try
        {
            return await task;
        }
        catch
        {
            await startup.CancelAsync();
            throw;
        }
    }

    private static async Task DisposeIfStartedAsync<T>(Task<T> task)
        where T : IAsyncDisposable
    {
        if (task.IsCompletedSuccessfully)
        {
            await task.Result.DisposeAsync();
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
