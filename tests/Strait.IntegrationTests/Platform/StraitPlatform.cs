using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.Dispatcher.Data;
using Strait.Events.Data;
using Strait.Gateway;
using Strait.Infrastructure;
using Strait.RunsApi.Data;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;

namespace Strait.IntegrationTests.Platform;

/// <summary>
/// The four services and the gateway over one fresh database, configured exactly as the app host configures them
/// (connection strings, <c>services__*</c> addresses, internal secret, run-token keys).
/// </summary>
public sealed class StraitPlatform : IAsyncDisposable
{
    public const string InternalSecret = "integration-internal-secret";
    public const string RunTokenKey = "integration-run-token-signing-key-0123456789";

    private readonly List<IAsyncDisposable> hosts = [];
    private readonly Dictionary<string, string?> settings;

    private StraitPlatform(Dictionary<string, string?> settings, IReadOnlyDictionary<string, Uri> services)
    {
        this.settings = settings;
        Services = services;
    }

    public IReadOnlyDictionary<string, Uri> Services { get; }

    public Uri GatewayAddress { get; private set; } = null!;

    public string PostgresConnectionString => settings["ConnectionStrings:postgres"]!;

    public string RabbitMqConnectionString => settings["ConnectionStrings:rabbitmq"]!;

    /// <summary>This platform's exchange name prefix on the shared broker (exchanges are <c>{prefix}:{namespace}:{type}</c>).</summary>
    public string EntityPrefix => settings["Strait:Messaging:EntityPrefix"]!;

    /// <summary>The services of the in-process host whose entry point is <typeparamref name="TEntryPoint"/> (e.g. its DbContext).</summary>
    public IServiceProvider ServicesOf<TEntryPoint>() where TEntryPoint : class =>
        hosts.OfType<ServiceHost<TEntryPoint>>().Single().Services;

    public static async Task<StraitPlatform> StartAsync(IInfrastructure infrastructure)
    {
        var database = await infrastructure.CreateDatabaseAsync();
        await MigrateAsync(database);

        var ports = ServiceEndpoints.BackendServices.ToDictionary(s => s, _ => FreePort.Next());
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = database,
            ["ConnectionStrings:rabbitmq"] = infrastructure.RabbitMqConnectionString,
            ["Strait:InternalSecret"] = InternalSecret,
            // Its own exchanges and queues: other platforms and fixtures share the broker.
            ["Strait:Messaging:EntityPrefix"] = "t" + Guid.NewGuid().ToString("N")[..8],
            // Other services re-check keys on every call, so a revocation is visible everywhere at once in tests.
            ["Strait:ApiKeyCacheSeconds"] = "0",
            ["Strait:RunTokens:SigningKeys:0:Id"] = "test",
            ["Strait:RunTokens:SigningKeys:0:Key"] = RunTokenKey,
            ["Logging:LogLevel:Default"] = "Warning",
            // Short enough that heartbeat loss is observable in a test.
            ["Strait:Runs:HeartbeatTimeoutSecs"] = "3",
            // Every test has a project of its own: a quota one test can reach.
            ["Strait:Events:MaxActiveTriggersPerProject"] = "5",
        };
        foreach (var (service, port) in ports)
        {
            settings[$"services:{service}:http:0"] = $"http://127.0.0.1:{port}";
        }

        var platform = new StraitPlatform(settings, ports.ToDictionary(p => p.Key, p => new Uri($"http://127.0.0.1:{p.Value}")));
        platform.hosts.Add(new ServiceHost<RunsDbContext>(ports[ServiceEndpoints.RunsApi], settings).Start());
        platform.hosts.Add(new ServiceHost<IngestDbContext>(ports[ServiceEndpoints.SdkIngest], settings).Start());
        platform.hosts.Add(new ServiceHost<DispatcherDbContext>(ports[ServiceEndpoints.Dispatcher], settings).Start());
        platform.hosts.Add(new ServiceHost<EventsDbContext>(ports[ServiceEndpoints.Events], settings).Start());
        platform.GatewayAddress = platform.StartGateway();
        return platform;
    }

    /// <summary>Another gateway over the same services, with its own settings (e.g. a tight rate limit).</summary>
    public Uri StartGateway(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var gatewaySettings = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            gatewaySettings[key] = value;
        }

        var gateway = new ServiceHost<GatewayOptions>(FreePort.Next(), gatewaySettings).Start();
        hosts.Add(gateway);
        return gateway.Address;
    }

    public HttpClient Client(string? apiKey = null, Uri? baseAddress = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress ?? GatewayAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public HttpClient InternalClient(string? projectId = null, Uri? baseAddress = null)
    {
        var client = Client(baseAddress: baseAddress);
        client.DefaultRequestHeaders.Add("X-Internal-Secret", InternalSecret);
        if (projectId is not null)
        {
            client.DefaultRequestHeaders.Add("X-Project-Id", projectId);
        }

        return client;
    }

    /// <summary>A new tenant: a project of its own and an API key bound to it.</summary>
    public async Task<Tenant> CreateTenantAsync(params string[] scopes)
    {
        var projectId = "p-" + Guid.NewGuid().ToString("N")[..12];
        using var admin = InternalClient(projectId);
        (await admin.PostAsJsonAsync("/v1/projects", new { id = projectId, org_id = "org", name = "Test " + projectId })).EnsureSuccessStatusCode();
        var key = await CreateKeyAsync(admin, projectId, scopes.Length == 0 ? ["*"] : scopes);
        return new Tenant(projectId, key.GetProperty("key").GetString()!, key.GetProperty("id").GetString()!);
    }

    public static async Task<JsonElement> CreateKeyAsync(HttpClient client, string projectId, string[] scopes)
    {
        var response = await client.PostAsJsonAsync("/v1/api-keys", new { project_id = projectId, name = "test key", scopes });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(hosts))
        {
            await host.DisposeAsync();
        }
    }

    private static async Task MigrateAsync(string connectionString)
    {
        await using (var db = new RunsDbContext(DatabaseExtensions.CreateOptions<RunsDbContext>(connectionString, RunsDbContext.Schema))) { await db.Database.MigrateAsync(); }
        await using (var db = new IngestDbContext(DatabaseExtensions.CreateOptions<IngestDbContext>(connectionString, IngestDbContext.Schema))) { await db.Database.MigrateAsync(); }
        await using (var db = new DispatcherDbContext(DatabaseExtensions.CreateOptions<DispatcherDbContext>(connectionString, DispatcherDbContext.Schema))) { await db.Database.MigrateAsync(); }
        await using (var db = new EventsDbContext(DatabaseExtensions.CreateOptions<EventsDbContext>(connectionString, EventsDbContext.Schema))) { await db.Database.MigrateAsync(); }
    }
}
