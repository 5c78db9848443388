using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Strait.Benchmarks.Lifecycle;

/// <summary>
/// The platform under test: attached to (<c>STRAIT_BASE_URL</c> / <c>STRAIT_API_KEY</c>, or <c>--attach</c> reading
/// <c>.strait/dev.env</c>), or started from the Release app host in a throw-away data folder, exactly as a developer starts it.
/// </summary>
public sealed class StraitSystem : IAsyncDisposable
{
    private readonly Process? appHost;
    private readonly bool ownsDataDirectory;

    private StraitSystem(Uri baseUrl, string apiKey, string projectId, Process? appHost, string? dataDirectory, bool ownsDataDirectory)
    {
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        ProjectId = projectId;
        this.appHost = appHost;
        DataDirectory = dataDirectory;
        this.ownsDataDirectory = ownsDataDirectory;
    }

    public Uri BaseUrl { get; }

    public string ApiKey { get; }

    public string ProjectId { get; }

    /// <summary>The app host's <c>--data-dir</c> (its PostgreSQL and RabbitMQ live under it); null when attached by URL.</summary>
    public string? DataDirectory { get; }

    public static async Task<StraitSystem> StartOrAttachAsync(bool attach, CancellationToken cancellationToken)
    {
        var repo = FindRepositoryRoot();
        var baseUrl = Environment.GetEnvironmentVariable("STRAIT_BASE_URL");
        var apiKey = Environment.GetEnvironmentVariable("STRAIT_API_KEY");
        if (baseUrl is not null && apiKey is not null)
        {
            return new StraitSystem(new Uri(baseUrl), apiKey, Environment.GetEnvironmentVariable("STRAIT_PROJECT_ID") ?? "dev", null, null, false);
        }

        if (attach)
        {
            var folder = Path.Combine(repo, ".strait");
            var env = ReadEnv(Path.Combine(folder, "dev.env"));
            return new StraitSystem(new Uri(env["STRAIT_BASE_URL"]), env["STRAIT_API_KEY"], env["STRAIT_PROJECT_ID"], null, folder, false);
        }

        var dll = Path.Combine(repo, "apphost", "Strait.AppHost", "bin", "Release", "net10.0", "Strait.AppHost.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} not found: run `dotnet build -c Release Strait.sln` first, or pass --attach");
        }

        var data = Path.Combine(Path.GetTempPath(), "strait-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", data])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The benchmark's own processes set nothing: the app host configures its children itself.
            Environment = { ["Logging__LogLevel__Default"] = "Warning" },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Console.WriteLine($"[bench] starting the app host on port {port} (data in {data})");
        var devEnv = Path.Combine(data, "dev.env");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!File.Exists(devEnv))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the app host did not come up");
            }

            await Task.Delay(250, cancellationToken);
        }

        var values = ReadEnv(devEnv);
        return new StraitSystem(new Uri(values["STRAIT_BASE_URL"]), values["STRAIT_API_KEY"], values["STRAIT_PROJECT_ID"], process, data, true);
    }

    public async ValueTask DisposeAsync()
    {
        if (appHost is { HasExited: false })
        {
            // SIGTERM: the app host stops its children and the infrastructure itself.
            Process.Start("kill", ["-TERM", appHost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            await appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }

        if (ownsDataDirectory && DataDirectory is not null)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Files of a just-stopped PostgreSQL can linger a moment; the folder is in /tmp.
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dictionary<string, string> ReadEnv(string path) =>
        File.ReadAllLines(path).Where(l => l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strait.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
