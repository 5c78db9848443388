using MassTransit;
using Strait.ServiceDefaults.Outbound;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Apis;
using Strait.Dispatcher.Consumers;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;
using Strait.Dispatcher.Outbound;
using Strait.Messaging;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddStraitDbContext<DispatcherDbContext>(DispatcherDbContext.Schema);
        builder.AddInfrastructureHealthChecks();
        builder.AddStraitAuthentication();
        builder.AddRunTokens();
        builder.AddStraitMessaging<DispatcherDbContext>(x =>
        {
            x.AddConsumer<RunCommandsConsumer>((_, c) => c.Options<BatchOptions>(o => o
                .SetMessageLimit(RunCommandsConsumer.BatchMessageLimit).SetTimeLimit(RunCommandsConsumer.BatchTimeLimit)));
        });
        builder.AddDispatch();
        return builder;
    }

    public static WebApplication MapDispatcherApi(this WebApplication app)
    {
        app.MapWorkersApi();
        app.MapQueuesApi();
        app.MapEndpointChecksApi();
        return app;
    }

    private static IHostApplicationBuilder AddDispatch(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.SectionName).ValidateOnStart();
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.LockBusyRetry > TimeSpan.Zero, "Dispatcher:Admission intervals must be positive")
            .ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.LeaseRenewInterval > TimeSpan.Zero && o.LeaseRenewInterval * 2 <= o.LeaseDuration && o.SweepInterval > TimeSpan.Zero,
                "Dispatcher:Delivery:LeaseRenewInterval must be positive and at most half of LeaseDuration; SweepInterval must be positive")
            .ValidateOnStart();

        services.AddSingleton<DispatcherInstance>();
        services.AddSingleton<DispatchQueueSignal>();
        services.AddSingleton<InFlightDeliveries>();
        services.AddSingleton<OutboundConnector>();
        services.AddSingleton<EndpointHttpClient>();
        services.AddSingleton<EndpointDeliverer>();
        services.AddSingleton<DeliveryRunner>();
        services.AddSingleton<EndpointCircuits>();
        services.AddHostedService(sp => sp.GetRequiredService<EndpointCircuits>());
        services.AddHostedService<DispatchQueueListener>();
        // Hosts stop services in reverse order: admission stops first, then in-flight calls drain.
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryRunner>());
        services.AddHostedService<AdmissionService>();
        services.AddHostedService<LeaseMaintenanceService>();
        return builder;
    }
}
