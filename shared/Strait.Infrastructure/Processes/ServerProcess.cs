using System.Diagnostics;
using System.Text;

namespace Strait.Infrastructure.Processes;

/// <summary>
/// A long-running server we start and own: in its own session (a terminal's Ctrl+C reaches only the app host,
/// which stops things in order), writing to its own log file rather than a pipe to us (so it survives our death
/// cleanly), and tagged with <see cref="PosixProcess.OwnerVariable"/> so a later run can find it.
/// </summary>
internal sealed class ServerProcess
{
    // `exec` keeps the pid: the process we hold is the server itself, not a shell in front of it.
    private const string Launcher = "exec \"$0\" \"$@\" </dev/null >>\"$STRAIT_LOG_FILE\" 2>&1";

    private readonly Process process;
    private readonly bool ownSession;
    private readonly long logStart;

    private ServerProcess(Process process, string logFile, long logStart, bool ownSession)
    {
        this.process = process;
        LogFile = logFile;
        this.logStart = logStart;
        this.ownSession = ownSession;
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string LogFile { get; }

    public static ServerProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        ServiceAccount account,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        string logFile,
        string owner)
    {
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var startInfo = new ProcessStartInfo(setsid ?? "/bin/sh")
        {
            UseShellExecute = false,
            UserName = account.UserName,
            WorkingDirectory = workingDirectory,
        };
        if (setsid is not null)
        {
            startInfo.ArgumentList.Add("/bin/sh");
        }

        foreach (var argument in (string[])["-c", Launcher, fileName, .. arguments])
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A clean environment: a developer's own PG*/RABBITMQ_*/ERL_* variables must not reach our servers.
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        startInfo.Environment["STRAIT_LOG_FILE"] = logFile;
        startInfo.Environment[PosixProcess.OwnerVariable] = owner;

        // The log file collects every start of a persistent server; this one's output begins here.
        var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        return new ServerProcess(process, logFile, logStart, ownSession: setsid is not null);
    }

    /// <summary>The server and its current descendants; empty once it has exited.</summary>
    public IReadOnlyList<int> ProcessTree() => process.HasExited ? [] : [process.Id, .. PosixProcess.DescendantsOf(process.Id)];

    public Task WaitForExitAsync(CancellationToken ct) => process.WaitForExitAsync(ct);

    /// <summary>
    /// Sends <paramref name="signal"/> to the server, waits up to <paramref name="grace"/>, then kills whatever is
    /// left of its process tree. The server is our child, so its pid cannot be reused before we have seen it exit.
    /// </summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        var tree = ProcessTree().Select(PosixProcess.Identify).OfType<ProcessIdentity>().ToList();
        PosixProcess.Signal(process.Id, signal);
        using (var timeout = new CancellationTokenSource(grace))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Children normally go with the server; a few seconds covers the stragglers of a clean stop.
        if (!process.HasExited || !await PosixProcess.WaitForExitAsync(tree, TimeSpan.FromSeconds(5), CancellationToken.None))
        {
            foreach (var member in tree)
            {
                member.Signal(PosixProcess.SigKill);
            }

            await process.WaitForExitAsync(CancellationToken.None);
            await PosixProcess.WaitForExitAsync(tree, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    /// <summary>
    /// Kills the server without waiting: the last resort when the host process is going away, with moments to
    /// live. Its own session makes it a process-group leader, so one signal reaches the group without a /proc scan;
    /// PostgreSQL backends, which lead groups of their own, exit by themselves when the postmaster dies.
    /// </summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            if (ownSession)
            {
                PosixProcess.Signal(-process.Id, PosixProcess.SigKill);
            }

            PosixProcess.Signal(process.Id, PosixProcess.SigKill);
        }
    }

    /// <summary>The last lines this start of the server wrote, for error messages.</summary>
    public string Output(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(logStart, stream.Length - 16_384), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var tail = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines);
            return string.Join(Environment.NewLine, tail);
        }
        catch (IOException)
        {
            return "(no output)";
        }
    }
}
