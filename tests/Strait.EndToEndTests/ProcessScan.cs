using System.Text;

namespace Strait.EndToEndTests;

/// <summary>Finds processes through /proc, independently of the code that started them.</summary>
public static class ProcessScan
{
    /// <summary>Live (not zombie) processes whose command line or environment contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<string> Mentioning(string text)
    {
        var self = Environment.ProcessId;
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var commandLine = Encoding.UTF8.GetString(File.ReadAllBytes($"{directory}/cmdline")).Replace('\0', ' ').Trim();
                var environment = Encoding.UTF8.GetString(File.ReadAllBytes($"{directory}/environ"));
                if ((commandLine.Contains(text, StringComparison.Ordinal) || environment.Contains(text, StringComparison.Ordinal)) && IsAlive(pid))
                {
                    found.Add($"{pid} {commandLine}");
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
