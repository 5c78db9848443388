using MassTransit;
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
            // Run copy writes are batched: up to 100 transitions, or what arrived within 50 ms, per transaction.
            bus.AddConsumer<RunStatusChangedConsumer>((_, c) => c.Options<BatchOptions>(o => o.SetMessageLimit(100).SetTimeLimit(TimeSpan.FromMilliseconds(50))));
        });
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
}
