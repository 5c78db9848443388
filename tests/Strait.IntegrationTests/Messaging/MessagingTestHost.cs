using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strait.Messaging;

namespace Strait.IntegrationTests.Messaging;

/// <summary>Builds a service-like host (its own DbContext, the counter saga and test consumers) on the shared infrastructure.</summary>
public static class MessagingTestHost
{
    public static IHost Build(string postgres, string rabbitMq, string endpointPrefix, MessageProbe probe,
        IDictionary<string, string?>? settings = null)
    {
        // MassTransit keeps the bus's log context in an async-local; one left by an earlier host in this
        // flow would hand the new bus that host's (disposed) logger factory.
        LogContext.Current = null;

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:rabbitmq"] = rabbitMq,
            // Short retry/redelivery so the poison test finishes quickly.
            ["Strait:Messaging:RetryIntervals:0"] = "00:00:00.010",
            ["Strait:Messaging:RedeliveryIntervals:0"] = "00:00:00.200",
            ["Strait:Messaging:RedeliveryIntervals:1"] = "00:00:00.200",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(Environment.GetEnvironmentVariable("STRAIT_TEST_DEBUG") is null ? LogLevel.Warning : LogLevel.Debug);

        builder.Services.AddSingleton(probe);
        // Tests publish right after start: the queues must be bound by then, or those publishes go nowhere.
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
        builder.Services.AddDbContext<MessagingTestDbContext>(options => options.UseNpgsql(postgres));
        builder.AddStraitMessaging<MessagingTestDbContext>(x =>
        {
            // Queues per test class, so leftovers of one test never reach another's database.
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(endpointPrefix, false));
            x.AddSagaStateMachine<CounterStateMachine, CounterState>().StraitRepository();
            x.AddConsumer<RecordEntryConsumer>();
            x.AddConsumer<InjectedPublishRecordEntryConsumer>();
            x.AddConsumer<PoisonCommandConsumer>();
            x.AddConsumer<ProbeConsumer>();
            x.AddConsumer<PartitionedBatchConsumer>((_, c) => c.Options<BatchOptions>(BatchPingBatches));
            x.AddConsumer<UnpartitionedBatchConsumer>((_, c) => c.Options<BatchOptions>(BatchPingBatches));
        });
        return builder.Build();
    }

    static void BatchPingBatches(BatchOptions options) =>
        options.SetMessageLimit(BatchPingConsumer.MessageLimit).SetTimeLimit(TimeSpan.FromSeconds(2));

    public static async Task<IHost> StartAsync(string postgres, string rabbitMq, string endpointPrefix, MessageProbe probe,
        IDictionary<string, string?>? settings = null)
    {
        var host = Build(postgres, rabbitMq, endpointPrefix, probe, settings);
        await Isolated(() => host.StartAsync());
        return host;
    }

    /// <summary>Runs <paramref name="action"/> without leaking its async-local state (MassTransit's log context) to the caller.</summary>
    public static Task Isolated(Func<Task> action) => Task.Run(action);

    public static async Task CreateSchemaAsync(string postgres)
    {
        await using var dbContext = new MessagingTestDbContext(new DbContextOptionsBuilder<MessagingTestDbContext>().UseNpgsql(postgres).Options);
        await dbContext.Database.EnsureCreatedAsync();
    }

    public static MessagingTestDbContext OpenDbContext(string postgres) =>
        new(new DbContextOptionsBuilder<MessagingTestDbContext>().UseNpgsql(postgres).Options);
}
