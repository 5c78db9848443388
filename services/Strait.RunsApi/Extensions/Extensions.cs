using Strait.RunsApi.Apis;
using Strait.RunsApi.Consumers;
using Strait.Contracts.Runs;
using Strait.Messaging;
using Strait.Messaging.Sagas;
using MassTransit;
using Strait.RunsApi.Clients;
using Strait.RunsApi.Data;
using Strait.RunsApi.Scheduling;
using Strait.RunsApi.StateMachines;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Outbound;
using Strait.ServiceDefaults.Security;

namespace Strait.RunsApi.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<JobCache>();
        builder.Services.AddSingleton<JobCache.Invalidation>();
        builder.AddStraitDbContext<RunsDbContext>(RunsDbContext.Schema,
            (services, options) => options.AddInterceptors(services.GetRequiredService<JobCache.Invalidation>()));
        builder.AddInfrastructureHealthChecks();
        // runs-api owns the keys: it checks them in its own table instead of asking itself over HTTP.
        builder.Services.AddScoped<DbApiKeyStore>();
        builder.Services.AddScoped<IApiKeyStore>(sp => sp.GetRequiredService<DbApiKeyStore>());
        builder.AddStraitAuthentication();
        builder.Services.AddScoped<RunScheduler>();
        builder.Services.AddOptions<CronSchedulerOptions>().BindConfiguration(CronSchedulerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<CronScheduler>();
        builder.Services.AddHostedService<DependencyReleaser>();
        builder.Services.AddOptions<TriggerBufferOptions>().BindConfiguration(TriggerBufferOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<TriggerBufferPoller>();
        builder.Services.AddSingleton<ProjectQuotas>();
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.SectionName);
        builder.Services.AddHttpClient<DispatcherClient>(client =>
            client.BaseAddress = ServiceEndpoints.Resolve(builder.Configuration, ServiceEndpoints.Dispatcher));
        builder.Services.AddSingleton<RunOutcomeBatching>();
        builder.Services.AddScoped<SagaEventBatch<RunState>>();
        builder.Services.AddOptions<RunLifecycleOptions>().BindConfiguration(RunLifecycleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.AddStraitMessaging<RunsDbContext>(bus =>
        {
            bus.AddSagaStateMachine<RunStateMachine, RunState>(typeof(RunStateDefinition)).StraitRepository();
            bus.AddConsumer<RunOutcomeBatchConsumer>((_, c) => c.Options<BatchOptions>(o => o
                .SetMessageLimit(RunOutcomeBatchConsumer.BatchMessageLimit).SetTimeLimit(RunOutcomeBatchConsumer.BatchTimeLimit)
                .SetConcurrencyLimit(RunOutcomeBatchConsumer.BatchConcurrencyLimit)));
            bus.AddConsumer<RunAnnotatedConsumer>();
            bus.AddConsumer<RunChainConsumer>();
            bus.AddRequestClient<CancelRun>();
            bus.AddRequestClient<ReplayDeadLetterRun>();
            bus.AddRequestClient<PauseRun>();
            bus.AddRequestClient<ResumeRun>();
            bus.AddRequestClient<RestartRun>();
            bus.AddRequestClient<RescheduleRun>();
            bus.AddRequestClient<RequestRunWait>();
            bus.AddRequestClient<ResumeWaitingRun>();
        });
        // The dispatch outcomes went to the saga's own endpoint until RunOutcomeBatchConsumer took them (2026-12-06/07):
        // an upgraded broker would still deliver each to both.
        builder.AddStraitObsoleteTopology(t => t
            .Binding<RunDispatchSucceeded>(f => f.Saga<RunState>())
            .Binding<RunDispatchAccepted>(f => f.Saga<RunState>())
            .Binding<RunDispatchFailed>(f => f.Saga<RunState>()));
        return builder;
    }

    public static WebApplication MapRunsApi(this WebApplication app)
    {
        app.MapProjectsApi();
        app.MapApiKeysApi();
        app.MapJobsApi();
        app.MapJobActionsApi();
        app.MapTriggerApi();
        app.MapRunActionsApi();
        app.MapRunBulkApi();
        app.MapRunLineageApi();
        app.MapInternalRunsApi();
        app.MapRunDebugApi();
        app.MapInternalLineageApi();
        app.MapJobDependenciesApi();
        return app;
    }
}
