using System.Diagnostics;

namespace Strait.Infrastructure.Processes;

/// <summary>
/// For a throw-away folder: a small shell loop that outlives us if we are killed outright, then kills every process
/// marked as ours under the folder and deletes it. A test runner kills its test host together with every descendant
/// moments after the run, before ProcessExit handlers can finish; so the loop runs detached from our process tree
/// (started in the background by a shell that exits at once) and is stopped through its process group.
/// </summary>
internal sealed class OrphanWatchdog : IDisposable
{
    private const string Script = """
        host_alive() {
            state=$(sed 's/.*) //' "/proc/$STRAIT_HOST_PID/stat" 2>/dev/null | cut -c1)
            [ -n "$state" ] && [ "$state" != Z ]
        }
        while host_alive; do sleep 1; done
        for p in /proc/[0-9]*; do
            grep -qsF "STRAIT_OWNER=$STRAIT_ROOT/" "$p/environ" && kill -9 "${p#/proc/}"
        done
        rm -rf "$STRAIT_ROOT"
        """;

    private readonly int processGroup;
    private readonly string root;

    private OrphanWatchdog(int processGroup, string root)
    {
        this.processGroup = processGroup;
        this.root = root;
    }

    public static OrphanWatchdog? Start(string root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // setsid makes the launching shell the leader of a new process group, which the detached loop stays in.
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        if (setsid is null)
        {
            return null;
        }

        var startInfo = new ProcessStartInfo(setsid) { UseShellExecute = false };
        startInfo.ArgumentList.Add("/bin/sh");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"exec </dev/null >/dev/null 2>&1\n(\n{Script}\n) &");
        startInfo.Environment["STRAIT_HOST_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["STRAIT_ROOT"] = root;
        startInfo.Environment.Remove(PosixProcess.OwnerVariable);
        using var launcher = Process.Start(startInfo)!;
        launcher.WaitForExit();
        return new OrphanWatchdog(launcher.Id, root);
    }

    /// <summary>Stops the watchdog (and the sleep it is in the middle of): we are cleaning up ourselves.</summary>
    public void Dispose()
    {
        // Only while the loop is still there: once its group is gone, the id may belong to someone else.
        var loop = PosixProcess.FindByEnvironmentText($"STRAIT_ROOT={root}\0");
        if (loop.Count > 0)
        {
            PosixProcess.Signal(-processGroup, PosixProcess.SigKill);
            PosixProcess.WaitForExitAsync(loop, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
    }
}
