using System.Text;

namespace Strait.IntegrationTests.Infrastructure;

/// <summary>Reads /proc directly, so the tests check processes without trusting the library's own helpers.</summary>
public static class ProcFs
{
    /// <summary>True while the process exists and is not a zombie (an exited child nobody reaped).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Live processes whose command line or environment contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text)
    {
        var self = Environment.ProcessId;
        var result = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var mentions = Encoding.UTF8.GetString(File.ReadAllBytes($"{directory}/cmdline")).Contains(text, StringComparison.Ordinal)
                    || Encoding.UTF8.GetString(File.ReadAllBytes($"{directory}/environ")).Contains(text, StringComparison.Ordinal);
                if (mentions && IsAlive(pid))
                {
                    result.Add(pid);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    /// <summary>The working directory of a process (PostgreSQL's is its data folder).</summary>
    public static string? WorkingDirectory(int pid) => new FileInfo($"/proc/{pid}/cwd").LinkTarget;
}
