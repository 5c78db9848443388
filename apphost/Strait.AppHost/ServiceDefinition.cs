namespace Strait.AppHost;

/// <summary>One process the app host runs: its resource name (used everywhere, see STYLE.md) and where it is built.</summary>
public sealed record ServiceDefinition(string Name, string ProjectDirectory, string AssemblyName, bool HasMigrations)
{
    public const string GatewayName = "gateway";

    /// <summary>The four services, in the order their migrations and starts are listed.</summary>
    public static IReadOnlyList<ServiceDefinition> Services { get; } =
    [
        new("runs-api", "services/Strait.RunsApi", "Strait.RunsApi", HasMigrations: true),
        new("sdk-ingest", "services/Strait.SdkIngest", "Strait.SdkIngest", HasMigrations: true),
        new("dispatcher", "services/Strait.Dispatcher", "Strait.Dispatcher", HasMigrations: true),
        new("events", "services/Strait.Events", "Strait.Events", HasMigrations: true),
    ];

    public static ServiceDefinition Gateway { get; } = new(GatewayName, "gateway/Strait.Gateway", "Strait.Gateway", HasMigrations: false);

    public string ProjectPath(AppHostOptions options) => Path.Combine(options.RepositoryRoot, ProjectDirectory);

    /// <summary><c>&lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;assembly&gt;.dll</c>, built along with the app host.</summary>
    public string AssemblyPath(AppHostOptions options) =>
        Path.Combine(ProjectPath(options), "bin", options.Configuration, "net10.0", AssemblyName + ".dll");
}
