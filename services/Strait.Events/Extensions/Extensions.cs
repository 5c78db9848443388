using MassTransit;
using Strait.Contracts.Runs;
using Strait.Events.Apis;
using Strait.Events.Clients;
using Strait.Events.Consumers;
using Strait.Events.Data;
using Strait.Events.Streams;
using Strait.Messaging;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddStraitDbContext<EventsDbContext>(EventsDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        builder.Services.AddHttpClient<RunsApiClient>(client =>
            client.BaseAddress = ServiceEndpoints.Resolve(builder.Configuration, ServiceEndpoints.RunsApi));
        builder.AddStraitMessaging<EventsDbContext>(bus =>
        {
            bus.AddConsumer<RegisterEventTriggerConsumer>();
            bus.AddConsumer<WithdrawEventTriggerConsumer>();
            bus.AddConsumer<SpawnAwaitResolvedConsumer>();
            bus.AddConsumer<RunLeftWaitConsumer>();
        });
        // Up to 2026-12-08 the service kept a copy of every run's status from RunStatusChanged; streams now ask runs-api.
        builder.AddStraitObsoleteTopology(t => t.Endpoint(f => f.Consumer<ObsoleteConsumers.RunStatusChangedConsumer>()));
        // After the bus's own hosted service, so the bus is started when the live feed connects its queue.
        builder.Services.AddSingleton<RunStreamHub>();
        builder.Services.AddSingleton<LiveFeedListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFeedListener>());
        return builder;
    }

    public static WebApplication MapEventsApi(this WebApplication app)
    {
        app.MapEventTriggersApi();
        app.MapRunStreamsApi();
        return app;
    }

    /// <summary>Consumers this service no longer has, kept as names only: their endpoints are removed from upgraded brokers.</summary>
    internal static class ObsoleteConsumers
    {
        public sealed class RunStatusChangedConsumer : IConsumer<RunStatusChanged>
        {
            public Task Consume(ConsumeContext<RunStatusChanged> context) => throw new NotSupportedException("obsolete: only its endpoint name is used");
        }
    }
}
