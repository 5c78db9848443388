using System.Globalization;
using System.Reflection;

namespace Strait.AppHost;

/// <summary>Command line and layout: <c>[--port N] [--data-dir DIR]</c>.</summary>
public sealed record AppHostOptions(string RepositoryRoot, string DataDirectory, int GatewayPort, string Configuration)
{
    public const string Usage = "usage: dotnet run --project apphost/Strait.AppHost [-- --port N] [--data-dir DIR]";

    /// <summary>The build configuration the services are launched from: the app host's own (Debug/Release).</summary>
    public static string OwnConfiguration =>
        typeof(AppHostOptions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <exception cref="ArgumentException">An unknown argument or a bad value; the message says which.</exception>
    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        var repositoryRoot = FindRepositoryRoot();
        string? dataDirectory = null;
        var port = 8080;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Count:
                    port = int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536
                        ? parsed
                        : throw new ArgumentException($"--port needs a TCP port number, not '{args[i]}'");
                    break;
                case "--data-dir" when i + 1 < args.Count:
                    dataDirectory = Path.GetFullPath(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return new AppHostOptions(repositoryRoot, dataDirectory ?? Path.Combine(repositoryRoot, ".strait"), port, OwnConfiguration);
    }

    /// <summary>The folder holding Strait.sln, found by walking up from the app host's binaries.</summary>
    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Strait.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Strait.sln not found above {AppContext.BaseDirectory}: run the app host from the repository.");
    }
}
