using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Strait.Infrastructure;

namespace Strait.EndToEndTests;

/// <summary>
/// The platform as a developer starts it: <c>dotnet Strait.AppHost.dll --port N --data-dir &lt;temp&gt;</c>, ready once
/// the app host has written dev.env.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppHostProcess(Process process, string dataDirectory)
    {
        this.process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public Uri BaseUrl { get; private set; } = null!;

    public string ApiKey { get; private set; } = string.Empty;

    public string ProjectId { get; private set; } = string.Empty;

    public TimeSpan StartupTime { get; private set; }

    public static async Task<AppHostProcess> StartAsync()
    {
        var configuration = typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var assembly = Path.Combine(RepositoryRoot(), "apphost", "Strait.AppHost", "bin", configuration, "net10.0", "Strait.AppHost.dll");
        var dataDirectory = Directory.CreateTempSubdirectory("strait-e2e-").FullName;
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { assembly, "--port", FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture), "--data-dir", dataDirectory },
        };

        // The platform under test starts its own servers, whatever this test run was pointed at.
        startInfo.Environment.Remove("ConnectionStrings__postgres");
        startInfo.Environment.Remove("ConnectionStrings__rabbitmq");

        var appHost = new AppHostProcess(new Process { StartInfo = startInfo }, dataDirectory);
        try
        {
            await appHost.StartAndWaitForDevEnvAsync();
            return appHost;
        }
        catch
        {
            await appHost.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client for the gateway; the caller adds credentials.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The service pids the app host recorded in &lt;data&gt;/pids.</summary>
    public IReadOnlyList<int> RecordedServicePids() =>
        File.ReadAllLines(Path.Combine(DataDirectory, "pids"))
            .Select(line => int.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>Sends SIGTERM, waits for the app host to exit and reports what ran before and what is left.</summary>
    public async Task<ShutdownReport> StopAsync()
    {
        // Everything the app host started carries the data folder in its command line or environment.
        var before = ProcessScan.Mentioning(DataDirectory);
        PosixProcess.Signal(process.Id, PosixProcess.SigTerm);
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The app host did not stop within {StopTimeout.TotalSeconds} s of SIGTERM.\n{OutputTail()}");
        }

        return new ShutdownReport(process.ExitCode, before, ProcessScan.Mentioning(DataDirectory), OutputTail());
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (ProcessScan.Mentioning(DataDirectory).Count == 0)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private async Task StartAndWaitForDevEnvAsync()
    {
        process.OutputDataReceived += (_, line) => Record(line.Data);
        process.ErrorDataReceived += (_, line) => Record(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var devEnv = Path.Combine(DataDirectory, "dev.env");
        var elapsed = Stopwatch.StartNew();
        while (!File.Exists(devEnv))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app host exited with code {process.ExitCode} before writing dev.env.\n{OutputTail()}");
            }

            if (elapsed.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The app host did not write dev.env within {StartTimeout.TotalSeconds} s.\n{OutputTail()}");
            }

            await Task.Delay(250);
        }

        StartupTime = elapsed.Elapsed;
        var settings = (await File.ReadAllLinesAsync(devEnv))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
        BaseUrl = new Uri(settings["STRAIT_BASE_URL"]);
        ApiKey = settings["STRAIT_API_KEY"];
        ProjectId = settings["STRAIT_PROJECT_ID"];
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private string OutputTail()
    {
        lock (output)
        {
            return "App host output, last 60 lines:\n" + string.Join('\n', output.ToString().Split('\n').TakeLast(60));
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Strait.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Strait.sln not found above {AppContext.BaseDirectory}");
    }
}
