using System.Globalization;
using System.Text;
using Strait.Infrastructure;

namespace Strait.AppHost;

/// <summary>
/// The services we started, recorded in <c>&lt;data&gt;/pids</c> (<c>pid name</c> per line) and marked through
/// <see cref="PosixProcess.OwnerVariable"/>, so a run after a <c>kill -9</c> of the app host can stop what the
/// killed one left running before it takes their ports.
/// </summary>
public sealed class ChildLedger
{
    private readonly string path;
    private readonly Dictionary<string, int> pids = [];
    private readonly Lock gate = new();

    public ChildLedger(string dataDirectory)
    {
        path = Path.Combine(dataDirectory, "pids");
        Owner = Path.Combine(dataDirectory, "services");
    }

    /// <summary>The owner mark every child carries in its environment.</summary>
    public string Owner { get; }

    public void Record(string name, int pid)
    {
        lock (gate)
        {
            pids[name] = pid;
            Write();
        }
    }

    public void Forget(string name)
    {
        lock (gate)
        {
            pids.Remove(name);
            Write();
        }
    }

    /// <summary>
    /// Stops children an earlier app host left behind: processes carrying our mark, and recorded pids still running
    /// one of our service assemblies (a pid alone may have been reused by now).
    /// </summary>
    public async Task StopLeftoversAsync(IEnumerable<string> assemblyPaths, CancellationToken ct)
    {
        var leftovers = PosixProcess.FindByOwner(Owner).ToHashSet();
        var assemblies = assemblyPaths.ToList();
        foreach (var pid in ReadRecorded().Where(PosixProcess.IsRunning))
        {
            if (CommandLine(pid) is { } commandLine && assemblies.Any(assembly => commandLine.Contains(assembly, StringComparison.Ordinal)))
            {
                leftovers.Add(pid);
            }
        }

        if (leftovers.Count > 0)
        {
            ConsoleOutput.Line(ConsoleOutput.AppHost, $"stopping services left running by an earlier run (pids {string.Join(", ", leftovers)})");
            await PosixProcess.StopAsync(leftovers, PosixProcess.SigTerm, TimeSpan.FromSeconds(10), ct);
        }

        File.Delete(path);
    }

    private List<int> ReadRecorded()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        return File.ReadAllLines(path)
            .Select(line => line.Split(' ', 2)[0])
            .Select(text => int.TryParse(text, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToList();
    }

    private void Write()
    {
        if (pids.Count == 0)
        {
            File.Delete(path);
            return;
        }

        var content = new StringBuilder();
        foreach (var (name, pid) in pids)
        {
            content.Append(CultureInfo.InvariantCulture, $"{pid} {name}\n");
        }

        File.WriteAllText(path, content.ToString());
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
