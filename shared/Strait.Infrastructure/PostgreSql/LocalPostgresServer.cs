using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Strait.Infrastructure.Processes;

namespace Strait.Infrastructure.PostgreSql;

/// <summary>
/// A private PostgreSQL server run from the installed binaries: <c>initdb</c> once, then <c>postgres</c> as our
/// own child process (not daemonised by pg_ctl) so we always hold its pid. Layout under its folder:
/// <c>data/</c> (the cluster), <c>postgres.log</c>, <c>port</c> (reused by the next persistent start when free).
/// </summary>
internal sealed class LocalPostgresServer : IPostgresServer
{
    private const string SuperUser = "postgres";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly PostgresBinaries binaries;
    private readonly string folder;
    private readonly string dataDirectory;
    private readonly ServiceAccount account;
    private readonly bool persistent;
    private readonly string databaseName;
    private readonly Action<string> log;
    private ServerProcess? process;

    private LocalPostgresServer(
        PostgresBinaries binaries,
        string folder,
        ServiceAccount account,
        bool persistent,
        string databaseName,
        Action<string> log)
    {
        this.binaries = binaries;
        this.folder = folder;
        dataDirectory = Path.Combine(folder, "data");
        this.account = account;
        this.persistent = persistent;
        this.databaseName = databaseName;
        this.log = log;
    }

    public InfrastructureSource Source => InfrastructureSource.LocalProcesses;

    public int Port { get; private set; }

    public string ConnectionString => ConnectionStringFor(databaseName);

    public IReadOnlyList<int> ProcessIds => process?.ProcessTree() ?? [];

    private string PortFile => Path.Combine(folder, "port");

    public static async Task<LocalPostgresServer> StartAsync(
        DataFolder data,
        string databaseName,
        Action<string> log,
        CancellationToken ct)
    {
        var folder = data.Child("postgres");
        var existingVersion = ReadDataVersion(Path.Combine(folder, "data"));
        var binaries = PostgresBinaries.Find(existingVersion)
            ?? throw new InfrastructureUnavailableException(PostgresBinaries.InstallHint + ".");
        if (existingVersion is { } version && binaries.MajorVersion is { } installed && installed != version)
        {
            throw new InfrastructureUnavailableException(
                $"{folder}/data holds PostgreSQL {version} data but only PostgreSQL {installed} is installed: "
                + $"apt-get install -y postgresql-{version}, or delete {folder} to start with an empty database.");
        }

        var account = ServiceAccount.For("postgres")
            ?? throw new InfrastructureUnavailableException(
                "PostgreSQL refuses to run as root and there is no 'postgres' account: "
                + "apt-get install -y postgresql-15 creates it (or: useradd --system postgres), or run as a normal user.");

        var server = new LocalPostgresServer(binaries, folder, account, data.IsPersistent, databaseName, log);
        try
        {
            await server.PrepareAsync(ct);
            await server.StartServerAsync(keepPort: false, ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
    }.ConnectionString;

    public async Task RestartAsync(CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        await StopServerAsync();
        await StartServerAsync(keepPort: true, ct);
        log($"PostgreSQL restarted on port {Port} ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
    }

    public async ValueTask DisposeAsync() => await StopServerAsync();

    /// <summary>Kills the server without waiting, for when the hosting process is exiting.</summary>
    public void Kill() => process?.Kill();

    private async Task PrepareAsync(CancellationToken ct)
    {
        await account.TakeOwnershipAsync(folder, ct);
        if (persistent)
        {
            await StopLeftoversAsync(ct);
        }

        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        // A folder without PG_VERSION is an initdb that never finished; initdb refuses a non-empty folder.
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        var stopwatch = Stopwatch.StartNew();
        List<string> arguments =
        [
            "-D", dataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale", Locale(), "--no-instructions",
        ];
        if (!persistent)
        {
            arguments.Add("--no-sync");
        }

        await CommandRunner.RunCheckedAsync(binaries.InitDb, arguments, account, null, folder, ct);
        log($"PostgreSQL: initialised {dataDirectory} ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>
    /// A run killed with SIGKILL leaves its postmaster (or, after a SIGKILL of the postmaster, its backends)
    /// running and holding the data folder: stop them before starting our own.
    /// </summary>
    private async Task StopLeftoversAsync(CancellationToken ct)
    {
        var leftovers = PosixProcess.FindByOwner(folder).ToHashSet();

        // Also a postmaster started without our marker (by hand, or by pg_ctl) on this folder.
        if (ReadPostmasterPid() is { } pid && PosixProcess.IsRunning(pid) && WorkingDirectoryOf(pid) == dataDirectory)
        {
            leftovers.Add(pid);
        }

        if (leftovers.Count == 0)
        {
            return;
        }

        log($"PostgreSQL: stopping processes left running in {folder} by an earlier run (pids {string.Join(", ", leftovers)})");

        // SIGINT is a fast shutdown for a postmaster and merely cancels the query of an orphaned backend.
        await PosixProcess.StopAsync(leftovers, PosixProcess.SigInt, TimeSpan.FromSeconds(15), ct);
    }

    private async Task StartServerAsync(bool keepPort, CancellationToken ct)
    {
        var choosePort = !keepPort;
        var portAttempts = 0;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var stopwatch = Stopwatch.StartNew();
            if (choosePort)
            {
                Port = await ChoosePortAsync(preferPrevious: portAttempts == 0, ct);
                choosePort = false;
            }

            log($"PostgreSQL{(binaries.MajorVersion is { } major ? $" {major}" : string.Empty)}: starting from {binaries.Directory} on 127.0.0.1:{Port}, data in {dataDirectory}");
            process = ServerProcess.Start(
                binaries.Postgres,
                ServerArguments(),
                account,
                new Dictionary<string, string> { ["LANG"] = "C.UTF-8" },
                dataDirectory,
                Path.Combine(folder, "postgres.log"),
                owner: folder);
            StartOutcome outcome;
            try
            {
                outcome = await WaitUntilReadyAsync(ct);
            }
            catch
            {
                await StopServerAsync();
                throw;
            }

            switch (outcome)
            {
                case StartOutcome.Ready:
                    await File.WriteAllTextAsync(PortFile, Port.ToString(CultureInfo.InvariantCulture), ct);
                    log($"PostgreSQL: ready on 127.0.0.1:{Port} ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
                    return;
                case StartOutcome.PortTaken when !keepPort && ++portAttempts < 3:
                    log($"PostgreSQL: port {Port} was taken meanwhile; trying another");
                    choosePort = true;
                    break;
                case StartOutcome.PreviousServerExiting when elapsed.Elapsed < TimeSpan.FromSeconds(15):
                    // Processes of a server killed a moment ago still hold its shared memory; they are going.
                    await Task.Delay(250, ct);
                    break;
                default:
                    throw new InvalidOperationException($"PostgreSQL could not start on port {Port}: {process.Output()}");
            }
        }
    }

    private List<string> ServerArguments()
    {
        // The socket path must fit in sun_path (108 bytes); TCP is all we use, so a deep folder simply goes without.
        var socketDirectory = folder.Length + 20 < 100 ? folder : string.Empty;
        List<string> arguments =
        [
            "-D", dataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", $"unix_socket_directories={socketDirectory}",
            "-c", "max_connections=300",
        ];
        if (!persistent)
        {
            // Test data is thrown away; durability only costs time here.
            arguments.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }

        return arguments;
    }

    private async Task<StartOutcome> WaitUntilReadyAsync(CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process!.HasExited)
            {
                var output = process.Output();
                if (output.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                    || output.Contains("could not create any TCP/IP sockets", StringComparison.OrdinalIgnoreCase))
                {
                    return StartOutcome.PortTaken;
                }

                if (output.Contains("pre-existing shared memory block", StringComparison.OrdinalIgnoreCase)
                    || output.Contains("lock file \"postmaster.pid\" already exists", StringComparison.OrdinalIgnoreCase))
                {
                    return StartOutcome.PreviousServerExiting;
                }

                throw new InvalidOperationException($"PostgreSQL exited while starting. Its output ({process.LogFile}):{Environment.NewLine}{output}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct);
                return StartOutcome.Ready;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                // Not listening yet, or "the database system is starting up".
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"PostgreSQL did not accept connections within {ReadyTimeout.TotalSeconds} s. "
                    + $"Its output ({process.LogFile}):{Environment.NewLine}{process.Output()}");
            }

            await Task.Delay(50, ct);
        }
    }

    private async Task StopServerAsync()
    {
        if (process is { HasExited: false } running)
        {
            // SIGINT = "fast" shutdown: disconnects clients, rolls back open transactions, checkpoints.
            await running.StopAsync(PosixProcess.SigInt, TimeSpan.FromSeconds(15));
            log("PostgreSQL: stopped");
        }
    }

    private async Task<int> ChoosePortAsync(bool preferPrevious, CancellationToken ct)
    {
        if (preferPrevious && persistent
            && File.Exists(PortFile)
            && int.TryParse(await File.ReadAllTextAsync(PortFile, ct), CultureInfo.InvariantCulture, out var previous)
            && await FreeTcpPort.WaitUntilFreeAsync([previous], TimeSpan.FromSeconds(3), ct))
        {
            return previous;
        }

        return FreeTcpPort.Next();
    }

    private int? ReadPostmasterPid()
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(firstLine, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? WorkingDirectoryOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? ReadDataVersion(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "PG_VERSION");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var version)
            ? version
            : null;
    }

    // C.UTF-8 sorts by code point and knows non-ASCII case; plain C is the fallback where it is not built in.
    private static string Locale() => Directory.Exists("/usr/lib/locale/C.utf8") ? "C.UTF-8" : "C";

    private enum StartOutcome
    {
        Ready,
        PortTaken,
        PreviousServerExiting,
    }
}
