using System.Diagnostics;

namespace Strait.Infrastructure.Processes;

/// <summary>Runs a short command (initdb, chown) to completion and captures its output.</summary>
internal static class CommandRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        ServiceAccount account,
        IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory,
        CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UserName = account.UserName,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            return (process.ExitCode, (await output + await error).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public static async Task<string> RunCheckedAsync(
        string fileName,
        IEnumerable<string> arguments,
        ServiceAccount account,
        IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory,
        CancellationToken ct)
    {
        var argumentList = arguments.ToList();
        var (exitCode, output) = await RunAsync(fileName, argumentList, account, environment, workingDirectory, ct);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException(
                $"`{fileName} {string.Join(' ', argumentList)}` exited with code {exitCode}:{Environment.NewLine}{output}");
    }
}
