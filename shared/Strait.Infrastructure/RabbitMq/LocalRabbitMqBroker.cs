using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Strait.Infrastructure.Processes;

namespace Strait.Infrastructure.RabbitMq;

/// <summary>
/// A private RabbitMQ node run from the installed <c>rabbitmq-server</c>, with its own node name, ports and
/// folders, so several can run side by side. Layout under its folder: <c>mnesia/</c>, <c>log/</c>, <c>home/</c>
/// (its own Erlang cookie), <c>enabled_plugins</c>, <c>rabbitmq.log</c> (console output), <c>node</c> (node name and
/// ports, kept by a persistent folder because Mnesia data belongs to the node name).
/// </summary>
internal sealed class LocalRabbitMqBroker : IRabbitMqBroker
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly string serverScript;
    private readonly string folder;
    private readonly ServiceAccount account;
    private readonly bool persistent;
    private readonly Action<string> log;
    private ServerProcess? process;
    private string nodeName = string.Empty;
    private int port;
    private int distributionPort;

    private LocalRabbitMqBroker(string serverScript, string folder, ServiceAccount account, bool persistent, Action<string> log)
    {
        this.serverScript = serverScript;
        this.folder = folder;
        this.account = account;
        this.persistent = persistent;
        this.log = log;
    }

    public InfrastructureSource Source => InfrastructureSource.LocalProcesses;

    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{port}/";

    public IReadOnlyList<int> ProcessIds => process?.ProcessTree() ?? [];

    private string NodeFile => Path.Combine(folder, "node");

    private string PidFile => Path.Combine(folder, "rabbitmq.pid");

    public static async Task<LocalRabbitMqBroker> StartAsync(DataFolder data, Action<string> log, CancellationToken ct)
    {
        var serverScript = RabbitMqBinaries.FindServer()
            ?? throw new InfrastructureUnavailableException(RabbitMqBinaries.InstallHint + ".");

        // As root without a rabbitmq account the broker simply runs as root; only PostgreSQL insists.
        var account = ServiceAccount.For("rabbitmq") ?? ServiceAccount.Current;
        var broker = new LocalRabbitMqBroker(serverScript, data.Child("rabbitmq"), account, data.IsPersistent, log);
        try
        {
            await broker.PrepareAsync(ct);
            await broker.StartServerAsync(keepPorts: false, ct);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async Task RestartAsync(CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        await StopServerAsync();
        await StartServerAsync(keepPorts: true, ct);
        log($"RabbitMQ restarted on port {port} ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
    }

    public async ValueTask DisposeAsync() => await StopServerAsync();

    /// <summary>Kills the node without waiting, for when the hosting process is exiting.</summary>
    public void Kill() => process?.Kill();

    private async Task PrepareAsync(CancellationToken ct)
    {
        foreach (var child in (string[])["mnesia", "log", "home"])
        {
            Directory.CreateDirectory(Path.Combine(folder, child));
        }

        // No plugins: the management plugin alone adds seconds to every boot.
        await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].\n", ct);
        ReadOrCreateNode();
        await account.TakeOwnershipAsync(folder, ct);
        if (persistent)
        {
            await StopLeftoversAsync(ct);
        }

        await StartPortMapperAsync(ct);
    }

    private void ReadOrCreateNode()
    {
        if (persistent && File.Exists(NodeFile))
        {
            var fields = File.ReadAllText(NodeFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length == 3
                && int.TryParse(fields[1], CultureInfo.InvariantCulture, out port)
                && int.TryParse(fields[2], CultureInfo.InvariantCulture, out distributionPort))
            {
                nodeName = fields[0];
                return;
            }
        }

        nodeName = $"strait-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}@localhost";
    }

    /// <summary>
    /// A run killed with SIGKILL leaves its node running with this node name and folder: stop it first, or the new
    /// node finds its name taken.
    /// </summary>
    private async Task StopLeftoversAsync(CancellationToken ct)
    {
        var leftovers = PosixProcess.FindByOwner(folder).Where(pid => PosixProcess.CommandName(pid) != "epmd").ToHashSet();

        // A node in the middle of dying has no readable environment any more, but still has its name and its ports.
        if (ReadPid() is { } pid && PosixProcess.IsRunning(pid) && PosixProcess.CommandName(pid) == "beam.smp")
        {
            leftovers.Add(pid);
        }

        if (leftovers.Count == 0)
        {
            return;
        }

        log($"RabbitMQ: stopping node {nodeName} left running by an earlier run (pids {string.Join(", ", leftovers)})");

        // RabbitMQ treats SIGTERM as a graceful stop, like `rabbitmqctl stop` without booting a second Erlang VM.
        await PosixProcess.StopAsync(leftovers, PosixProcess.SigTerm, TimeSpan.FromSeconds(20), ct);
    }

    /// <summary>
    /// Every node registers with the machine's one epmd, which the first node would otherwise start as its own
    /// child, carrying our owner mark. Started here, unmarked, it is plainly shared and outlives us like a system
    /// daemon, rather than looking like a process we leaked. It starts from <c>/</c>, so not even its working
    /// directory (or the <c>PWD</c> its shell exports) names our data folder.
    /// </summary>
    private async Task StartPortMapperAsync(CancellationToken ct)
    {
        if (RabbitMqBinaries.FindEpmd() is { } epmd)
        {
            await CommandRunner.RunAsync(
                "/bin/sh", ["-c", "exec \"$0\" -daemon </dev/null >/dev/null 2>&1", epmd], account, new Dictionary<string, string> { ["PWD"] = "/" }, "/", ct);
        }
    }

    private async Task StartServerAsync(bool keepPorts, CancellationToken ct)
    {
        var choosePorts = !keepPorts;
        var portAttempts = 0;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            var stopwatch = Stopwatch.StartNew();
            if (choosePorts)
            {
                await ChoosePortsAsync(preferPrevious: portAttempts == 0, ct);
                choosePorts = false;
            }

            await File.WriteAllTextAsync(NodeFile, $"{nodeName} {port} {distributionPort}\n", ct);
            log($"RabbitMQ: starting node {nodeName} from {serverScript} on 127.0.0.1:{port}, data in {folder}");
            process = ServerProcess.Start(serverScript, [], account, ServerEnvironment(), folder, Path.Combine(folder, "rabbitmq.log"), owner: folder);

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
                    log($"RabbitMQ: ready on 127.0.0.1:{port} ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
                    return;
                case StartOutcome.PortTaken when !keepPorts && ++portAttempts < 3:
                    log($"RabbitMQ: port {port} or {distributionPort} was taken meanwhile; trying others");
                    choosePorts = true;
                    break;
                case StartOutcome.PreviousNodeExiting when elapsed.Elapsed < TimeSpan.FromSeconds(20):
                    // A node killed a moment ago is still registered under our name; it is going.
                    await Task.Delay(500, ct);
                    break;
                default:
                    throw new InvalidOperationException($"RabbitMQ could not start on port {port}: {process.Output()}");
            }
        }
    }

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["HOME"] = Path.Combine(folder, "home"),
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
        ["RABBITMQ_NODENAME"] = nodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
        ["RABBITMQ_PID_FILE"] = PidFile,

        // Files that do not exist, so nothing from /etc/rabbitmq (a system broker's settings) applies to ours.
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq.conf"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(folder, "advanced.config"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(folder, "rabbitmq-env.conf"),

        // Inter-node traffic on loopback only, like AMQP.
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
    };

    private async Task<StartOutcome> WaitUntilReadyAsync(CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process!.HasExited)
            {
                var output = process.Output();
                if (output.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
                {
                    return StartOutcome.PortTaken;
                }

                if (output.Contains("already running", StringComparison.OrdinalIgnoreCase))
                {
                    return StartOutcome.PreviousNodeExiting;
                }

                throw new InvalidOperationException($"RabbitMQ exited while starting. Its output ({process.LogFile}):{Environment.NewLine}{output}");
            }

            if (await AmqpProbe.AnswersAsync("127.0.0.1", port, TimeSpan.FromSeconds(2), ct))
            {
                return StartOutcome.Ready;
            }

            if (elapsed.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"RabbitMQ did not answer AMQP within {ReadyTimeout.TotalSeconds} s. "
                    + $"Its output ({process.LogFile}):{Environment.NewLine}{process.Output()}");
            }

            await Task.Delay(200, ct);
        }
    }

    private async Task StopServerAsync()
    {
        if (process is { HasExited: false } running)
        {
            // The start script forwards SIGTERM to the node and waits for its graceful stop.
            await running.StopAsync(PosixProcess.SigTerm, TimeSpan.FromSeconds(20));
            log("RabbitMQ: stopped");
        }
    }

    private async Task ChoosePortsAsync(bool preferPrevious, CancellationToken ct)
    {
        var reuse = preferPrevious && persistent && port > 0 && distributionPort > 0
            && await FreeTcpPort.WaitUntilFreeAsync([port, distributionPort], TimeSpan.FromSeconds(3), ct);
        if (!reuse)
        {
            port = FreeTcpPort.Next();
            do
            {
                distributionPort = FreeTcpPort.Next();
            }
            while (distributionPort == port);
        }
    }

    private int? ReadPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private enum StartOutcome
    {
        Ready,
        PortTaken,
        PreviousNodeExiting,
    }
}
