using MassTransit;
using Strait.Contracts.Events;
using Strait.Contracts.Runs;
using Strait.Messaging;
using Strait.SdkIngest.Apis;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Consumers;
using Strait.SdkIngest.Data;
using Strait.SdkIngest.Feed;
using Strait.SdkIngest.Writes;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Outbound;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<IngestDbContext>(IngestDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        builder.AddRunTokenAuthentication();
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.SectionName);
        builder.Services.AddHttpClient<RunsApiClient>(client =>
            client.BaseAddress = ServiceEndpoints.Resolve(builder.Configuration, ServiceEndpoints.RunsApi));
        builder.Services.AddScoped<RunCopySeeder>();
        builder.Services.AddScoped<JobResultSchemas>();
        builder.Services.AddOptions<SdkMemoryOptions>().BindConfiguration(SdkMemoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RunFeedPublisher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunFeedPublisher>());
        builder.Services.AddSingleton<RunEventWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunEventWriter>());
        builder.AddStraitMessaging<IngestDbContext>(bus =>
        {
            // Timeline writes are batched: up to 100 transitions, or what arrived within 50 ms, per transaction.
            bus.AddConsumer<RunStatusChangedConsumer>((_, c) => c.Options<BatchOptions>(o => o.SetMessageLimit(100).SetTimeLimit(TimeSpan.FromMilliseconds(50))));
            bus.AddConsumer<EventReceivedConsumer>();
            bus.AddRequestClient<CompleteRun>();
            bus.AddRequestClient<FailRun>();
            bus.AddRequestClient<RecordHeartbeat>();
            bus.AddRequestClient<RequestRunWait>();
            bus.AddRequestClient<RegisterEventTrigger>();
        });
        return builder;
    }

    public static WebApplication MapSdkIngestApi(this WebApplication app)
    {
        app.MapSdkRunsApi();
        app.MapRunEventsApi();
        app.MapRunTelemetryApi();
        app.MapRunDebugBundleApi();
        return app;
    }
}
