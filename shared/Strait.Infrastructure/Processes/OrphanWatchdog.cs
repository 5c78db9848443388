using System.Diagnostics;

namespace Strait.Infrastructure.Processes;

/// <summary>
/// For a throw-away folder: a small shell loop that outlives us if we are killed outright (a test runner kills its
/// test host moments after the run, before ProcessExit handlers can finish), then kills every process marked as
/// ours under the folder and deletes it.
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

    private readonly Process process;

    private OrphanWatchdog(Process process) => this.process = process;

    public static OrphanWatchdog? Start(string root)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // Its own process group, so stopping it also stops the sleep it is in the middle of.
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        if (setsid is null)
        {
            return null;
        }

        var startInfo = new ProcessStartInfo(setsid) { UseShellExecute = false };
        startInfo.ArgumentList.Add("/bin/sh");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add($"exec </dev/null >/dev/null 2>&1\n{Script}");
        startInfo.Environment["STRAIT_HOST_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["STRAIT_ROOT"] = root;
        startInfo.Environment.Remove(PosixProcess.OwnerVariable);
        return new OrphanWatchdog(Process.Start(startInfo)!);
    }

    /// <summary>Stops the watchdog: we are cleaning up ourselves.</summary>
    public void Dispose()
    {
        if (!process.HasExited)
        {
            PosixProcess.Signal(-process.Id, PosixProcess.SigKill);
            process.WaitForExit();
        }

        process.Dispose();
    }
}
