using System.Diagnostics;

namespace Strait.AppHost;

/// <summary>Builds the start info of a .NET child: <c>dotnet &lt;assembly&gt; [args]</c> with its environment.</summary>
public static class ChildProcessFactory
{
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    /// <summary>The dotnet host running us (the app host may itself be started as <c>dotnet Strait.AppHost.dll</c>).</summary>
    private static readonly string DotnetHost =
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <remarks>
    /// Each child gets its own session, so a Ctrl+C in the terminal reaches the app host alone, which then stops the
    /// gateway, the services and the databases in that order instead of all of them racing at once.
    /// </remarks>
    public static ProcessStartInfo Create(
        string assemblyPath,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(Setsid ?? DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (Setsid is not null)
        {
            startInfo.ArgumentList.Add(DotnetHost);
        }

        startInfo.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    /// <summary>Starts the process and copies its output, line by line, prefixed with <paramref name="source"/>.</summary>
    public static Process StartWithPrefixedOutput(ProcessStartInfo startInfo, string source)
    {
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, line) => Forward(source, line.Data);
        process.ErrorDataReceived += (_, line) => Forward(source, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Forward(string source, string? line)
    {
        if (line is not null)
        {
            ConsoleOutput.Line(source, line);
        }
    }
}
