using System.Runtime.InteropServices;
using System.Text;

namespace Strait.Infrastructure;

/// <summary>
/// The process operations .NET lacks on Linux: graceful signals, liveness that ignores zombies, and finding the
/// processes a previous, killed run left behind. The app host and the tests share it.
/// </summary>
public static partial class PosixProcess
{
    /// <summary>Environment variable every process we start carries, so a later run can find it after a crash.</summary>
    public const string OwnerVariable = "STRAIT_OWNER";

    public const int SigInt = 2;
    public const int SigQuit = 3;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const string ProcRoot = "/proc";

    /// <summary>True while the process exists and is not a zombie (pid 1 here does not always reap orphans).</summary>
    public static bool IsRunning(int pid)
    {
        if (!Directory.Exists(ProcRoot))
        {
            return pid > 0 && Kill(pid, 0) == 0;
        }

        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State is not ('Z' or 'X' or 'x');
    }

    /// <summary>
    /// Sends <paramref name="signal"/>; false when the process no longer exists. A negative pid is a process group,
    /// as with kill(2).
    /// </summary>
    public static bool Signal(int pid, int signal) => pid is not (0 or -1) && Kill(pid, signal) == 0;

    /// <summary>Running processes whose environment holds <c>STRAIT_OWNER=&lt;owner&gt;</c>.</summary>
    public static IReadOnlyList<int> FindByOwner(string owner)
    {
        var entry = $"{OwnerVariable}={owner}";
        return FindByEnvironment(environment => Encoding.UTF8.GetString(environment).Split('\0').Contains(entry));
    }

    /// <summary>Running processes whose environment contains <paramref name="text"/> anywhere (e.g. a data folder).</summary>
    public static IReadOnlyList<int> FindByEnvironmentText(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return FindByEnvironment(environment => environment.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>Children, grandchildren and so on of <paramref name="pid"/>, as they are now.</summary>
    public static IReadOnlyList<int> DescendantsOf(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var candidate in ProcessIdsInProc())
        {
            if (ReadStat(candidate) is { } stat)
            {
                if (!children.TryGetValue(stat.ParentId, out var list))
                {
                    children[stat.ParentId] = list = [];
                }

                list.Add(candidate);
            }
        }

        var result = new List<int>();
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var parent))
        {
            if (children.TryGetValue(parent, out var list))
            {
                foreach (var child in list.Where(child => !result.Contains(child)))
                {
                    result.Add(child);
                    pending.Enqueue(child);
                }
            }
        }

        return result.Where(IsRunning).ToList();
    }

    /// <summary>The short command name (<c>/proc/&lt;pid&gt;/comm</c>), or null when the process is gone.</summary>
    public static string? CommandName(int pid)
    {
        try
        {
            return File.ReadAllText($"{ProcRoot}/{pid}/comm").TrimEnd('\n');
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

    /// <summary>
    /// Sends <paramref name="signal"/> to each process, waits up to <paramref name="grace"/> for all to exit, then
    /// kills the rest. Processes are identified by pid and start time, so a reused pid is never signalled.
    /// </summary>
    public static async Task StopAsync(IEnumerable<int> pids, int signal, TimeSpan grace, CancellationToken ct = default)
    {
        var targets = pids.Select(Identify).OfType<ProcessIdentity>().ToList();
        foreach (var target in targets)
        {
            target.Signal(signal);
        }

        if (!await WaitForExitAsync(targets, grace, ct))
        {
            foreach (var target in targets)
            {
                target.Signal(SigKill);
            }

            await WaitForExitAsync(targets, TimeSpan.FromSeconds(10), ct);
        }
    }

    /// <summary>Waits until none of <paramref name="pids"/> is running; false on timeout.</summary>
    public static Task<bool> WaitForExitAsync(IEnumerable<int> pids, TimeSpan timeout, CancellationToken ct = default) =>
        WaitForExitAsync(pids.Select(Identify).OfType<ProcessIdentity>().ToList(), timeout, ct);

    internal static ProcessIdentity? Identify(int pid) =>
        ReadStat(pid) is { State: not ('Z' or 'X' or 'x') } stat ? new ProcessIdentity(pid, stat.StartTime) : null;

    internal static async Task<bool> WaitForExitAsync(IReadOnlyList<ProcessIdentity> targets, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (targets.Any(target => target.IsRunning))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50, ct);
        }

        return true;
    }

    internal static ulong? StartTimeOf(int pid) => ReadStat(pid)?.StartTime;

    private static List<int> FindByEnvironment(Func<byte[], bool> match)
    {
        var self = Environment.ProcessId;
        var result = new List<int>();
        foreach (var pid in ProcessIdsInProc().Where(pid => pid != self))
        {
            try
            {
                if (match(File.ReadAllBytes($"{ProcRoot}/{pid}/environ")) && IsRunning(pid))
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process: not one we started.
            }
        }

        return result;
    }

    private static IEnumerable<int> ProcessIdsInProc()
    {
        if (!Directory.Exists(ProcRoot))
        {
            yield break;
        }

        foreach (var directory in Directory.EnumerateDirectories(ProcRoot))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid))
            {
                yield return pid;
            }
        }
    }

    private static ProcStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"{ProcRoot}/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name is in parentheses and may itself contain spaces or parentheses.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        return fields.Length > 19
            && int.TryParse(fields[1], out var parent)
            && ulong.TryParse(fields[19], out var start)
            ? new ProcStat(fields[0][0], parent, start)
            : null;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private readonly record struct ProcStat(char State, int ParentId, ulong StartTime);
}
