using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Consumers;
using Strait.Dispatcher.Data;
using Strait.IntegrationTests.Platform;
using Strait.Messaging;
using Strait.ServiceDefaults.Data;

namespace Strait.IntegrationTests.Dispatcher;

/// <summary>
/// The dispatcher on its own database and its own exchanges and queues (an entity prefix), a test bus that sends it commands and records what it
/// publishes, and a job endpoint on 127.0.0.1. Tests isolate themselves by job and run ids.
/// </summary>
public sealed class DispatcherFixture : IAsyncLifetime
{
    public const string InternalSecret = "dispatcher-tests-internal-secret";
    public const string RunTokenKey = "dispatcher-tests-run-token-signing-key-0123456789";

    private static readonly string EntityPrefix = "dt" + Guid.NewGuid().ToString("N")[..8];
    private IBusControl bus = null!;
    private Dictionary<string, string?> settings = null!;

    public DispatcherTestHost Host { get; private set; } = null!;

    public JobEndpoint Endpoint { get; private set; } = null!;

    public OutcomeProbe Probe { get; } = new();

    public string Postgres { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var infrastructure = await SharedInfrastructure.GetAsync();
        Postgres = await infrastructure.CreateDatabaseAsync();
        await using (var db = OpenDb())
        {
            await db.Database.MigrateAsync();
        }

        Endpoint = await JobEndpoint.StartAsync();
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:postgres"] = Postgres,
            ["ConnectionStrings:rabbitmq"] = infrastructure.RabbitMqConnectionString,
            ["Strait:InternalSecret"] = InternalSecret,
            ["Strait:RunTokens:SigningKeys:0:Id"] = "test",
            ["Strait:RunTokens:SigningKeys:0:Key"] = RunTokenKey,
            ["Dispatcher:Delivery:LeaseDuration"] = "00:00:04",
            ["Dispatcher:Delivery:LeaseRenewInterval"] = "00:00:01",
            ["Dispatcher:Delivery:SweepInterval"] = "00:00:01",
            // Opened circuits close again within a test.
            ["Dispatcher:Delivery:CircuitOpenDuration"] = "00:00:03",
            ["Logging:LogLevel:Default"] = "Warning",
            // Exchanges and queues of its own: other fixtures' services on the broker never see these messages.
            ["Strait:Messaging:EntityPrefix"] = EntityPrefix,
        };
        Host = new DispatcherTestHost(settings);
        _ = Host.Services; // starts the host: consumers, admission, lease maintenance

        bus = await TestBus.StartAsync(infrastructure.RabbitMqConnectionString, EntityPrefix, cfg =>
            cfg.ReceiveEndpoint(EntityPrefix + "-dispatcher-tests-probe", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<RunDispatchStarted>(c => Record(c.Message));
                e.Handler<RunDispatchSucceeded>(c => Record(c.Message));
                e.Handler<RunDispatchAccepted>(c => Record(c.Message));
                e.Handler<RunDispatchFailed>(c => Record(c.Message));
                e.Handler<RunWaitReasonChanged>(c => Record(c.Message));
            }));
    }

    /// <summary>Another dispatcher replica on the same database and queues; the caller disposes it.</summary>
    public DispatcherTestHost StartReplica()
    {
        var replica = new DispatcherTestHost(settings);
        _ = replica.Services;
        return replica;
    }

    public DispatcherDbContext OpenDb() =>
        new(DatabaseExtensions.CreateOptions<DispatcherDbContext>(Postgres, DispatcherDbContext.Schema));

    /// <summary>Sends a command straight to the dispatcher's queue for its consumer.</summary>
    public async Task SendAsync<TConsumer, TMessage>(TMessage message)
        where TConsumer : class, IConsumer<TMessage>
        where TMessage : class
    {
        var formatter = Host.Services.GetRequiredService<IEndpointNameFormatter>();
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + formatter.Consumer<TConsumer>()));
        await endpoint.Send(message);
    }

    /// <summary>Sends a dispatch to the dispatcher's command queue (consumed there in batches).</summary>
    public async Task DispatchAsync(DispatchRun run, Guid? messageId = null)
    {
        var formatter = Host.Services.GetRequiredService<IEndpointNameFormatter>();
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:" + formatter.Consumer<RunCommandsConsumer>()));
        await endpoint.Send(run, context =>
        {
            if (messageId is { } id)
            {
                context.MessageId = id;
            }
        });
    }

    public static DispatchRun Run(string endpointUrl, Guid? jobId = null, int priority = 0, int timeoutSecs = 10, int maxConcurrency = 0,
        string payload = """{"order":42}""", string? signingSecret = null, IReadOnlyDictionary<string, string>? headers = null,
        string projectId = "p-dispatcher-tests", DateTimeOffset? createdAt = null) => new()
    {
        RunId = Guid.CreateVersion7(),
        Attempt = 1,
        JobId = jobId ?? Guid.CreateVersion7(),
        ProjectId = projectId,
        Priority = priority,
        EndpointUrl = endpointUrl,
        SigningSecret = signingSecret,
        TimeoutSecs = timeoutSecs,
        MaxConcurrency = maxConcurrency,
        Payload = payload,
        RunCreatedAt = createdAt ?? DateTimeOffset.UtcNow,
        Headers = headers,
    };

    public async Task<JsonElement> GetQueuesAsync(string projectId)
    {
        using var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Secret", InternalSecret);
        client.DefaultRequestHeaders.Add("X-Project-Id", projectId);
        return await client.GetFromJsonAsync<JsonElement>("/v1/queues");
    }

    private Task Record(object message)
    {
        Probe.Add(message);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await bus.StopAsync();
        await Host.DisposeAsync();
        await Endpoint.DisposeAsync();
    }
}
