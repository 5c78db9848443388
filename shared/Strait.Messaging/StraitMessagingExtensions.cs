using System.Text.Json;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strait.Messaging.Outbox;
using Strait.Messaging.Scheduling;

namespace Strait.Messaging;

public static class StraitMessagingExtensions
{
    /// <summary>
    /// Configures MassTransit on RabbitMQ (<c>ConnectionStrings:rabbitmq</c>) with PostgreSQL reliability
    /// through <typeparamref name="TDbContext"/>: consume outbox and inbox on every endpoint, the bus
    /// outbox for publishes outside consumers, the durable scheduler, retry then scheduled redelivery
    /// then the error queue, kebab-case endpoint names and partitioning by correlation id.
    /// <paramref name="configure"/> adds the service's consumers and sagas (sagas with <c>.StraitRepository()</c>).
    /// </summary>
    public static IHostApplicationBuilder AddStraitMessaging<TDbContext>(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null, Action<StraitMessagingOptions>? configureOptions = null)
        where TDbContext : DbContext
    {
        var services = builder.Services;
        var optionsBuilder = services.AddOptions<StraitMessagingOptions>().BindConfiguration(StraitMessagingOptions.SectionName);
        if (configureOptions is not null)
            optionsBuilder.Configure(configureOptions);

        var entityPrefix = builder.Configuration[$"{StraitMessagingOptions.SectionName}:{nameof(StraitMessagingOptions.EntityPrefix)}"] ?? "";
        RunMessageCorrelation.Configure();
        var rabbitMq = builder.Configuration.GetConnectionString("rabbitmq")
            ?? throw new InvalidOperationException("ConnectionStrings:rabbitmq is not configured (amqp://user:password@host:port/).");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StraitMessagingSignals>();
        services.TryAddScoped(sp => new StraitMessagingSession(sp.GetRequiredService<TDbContext>(), sp.GetRequiredService<StraitMessagingSignals>()));
        services.TryAddScoped<IOutboxContextFactory<TDbContext>, StraitOutboxContextFactory<TDbContext>>();

        services.AddMassTransit(x =>
        {
            // MassTransit would report the bus configuration to its vendor's endpoint at start; a job platform
            // running in users' networks sends nothing out that the user did not configure.
            x.DisableUsageTelemetry();

            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                var options = context.GetRequiredService<IOptions<StraitMessagingOptions>>().Value;
                // Filters run outside-in in this order: a partition slot per correlation id (unless every consumer of the
                // endpoint is an IUnpartitionedConsumer), then redelivery, then in-memory retry, then (per consumer) the
                // outbox transaction.
                EndpointPartitionSpecification.AddTo(endpoint, options.PartitionCount, c => c.CorrelationId ?? c.MessageId ?? Guid.Empty);
                endpoint.UseScheduledRedelivery(r => r.Intervals(options.EffectiveRedeliveryIntervals));
                endpoint.UseMessageRetry(r => r.Intervals(options.EffectiveRetryIntervals));

                var outbox = new StraitOutboxObserver<TDbContext>(endpoint, context);
                endpoint.ConnectConsumerConfigurationObserver(outbox);
                endpoint.ConnectSagaConfigurationObserver(outbox);
            });

            configure?.Invoke(x);

            // MassTransit keeps the first formatter registered, so the default goes after the service's own. Queue
            // names start with the service's name: two services consuming the same message each get every copy,
            // where one shared queue name would make them compete for it.
            if (!services.Any(d => d.ServiceType == typeof(IEndpointNameFormatter)))
                x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(EndpointPrefix(builder, entityPrefix), false));

            x.UsingRabbitMq((context, cfg) =>
            {
                ConfigureHost(cfg, new Uri(rabbitMq));
                // Envelopes without indentation: every message is written to an outbox row (and the WAL) and to the broker,
                // and MassTransit's default indentation made up about a sixth of each envelope (1,330 → 1,138 bytes for a
                // status change). A copy, not a change: the options in use are read-only, and hosts in one process (tests)
                // share the static.
                cfg.ConfigureJsonSerializerOptions(options => options.WriteIndented ? new JsonSerializerOptions(options) { WriteIndented = false } : options);
                if (context.GetRequiredService<IOptions<StraitMessagingOptions>>().Value.PrefetchCount is { } prefetchCount)
                    cfg.PrefetchCount = prefetchCount;
                if (entityPrefix.Length > 0)
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixedEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, entityPrefix + ":"));
                cfg.AddPrePipeSpecification(new StraitMessageSchedulerSpecification(context));
                cfg.ConfigureEndpoints(context);
            });
        });

        // A service reports started only once its queues are bound: a publish right after start must find its consumers.
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        // After AddMassTransit: replace its scoped bus context so publishes outside consumers go to the outbox.
        services.Replace(ServiceDescriptor.Scoped<IScopedBusContextProvider<IBus>, StraitScopedBusContextProvider>());
        services.Replace(ServiceDescriptor.Scoped<IMessageScheduler>(sp => new MessageScheduler(
            new StraitScheduleMessageProvider(sp.GetRequiredService<IBus>(),
                new SessionScheduledMessageStore(sp.GetRequiredService<StraitMessagingSession>()), sp,
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<IBus>().Topology)));

        services.AddHostedService<OutboxDeliveryService<TDbContext>>();
        services.AddHostedService<ScheduledMessageDeliveryService<TDbContext>>();
        services.AddHostedService<InboxCleanupService<TDbContext>>();
        services.AddHostedService<MessagingNotificationListener<TDbContext>>();

        return builder;
    }

    /// <summary><c>Strait.SdkIngest</c> → <c>SdkIngest</c>, so its queues are <c>sdk-ingest-…</c>.</summary>
    static string EndpointPrefix(IHostApplicationBuilder builder, string entityPrefix)
    {
        var name = builder.Environment.ApplicationName;
        var service = name.StartsWith("Strait.", StringComparison.Ordinal) ? name["Strait.".Length..] : name;
        return (entityPrefix.Length > 0 ? char.ToUpperInvariant(entityPrefix[0]) + entityPrefix[1..] : "") + service.Replace(".", "", StringComparison.Ordinal);
    }

    static void ConfigureHost(IRabbitMqBusFactoryConfigurator cfg, Uri uri)
    {
        var virtualHost = uri.AbsolutePath.Trim('/');
        var credentials = uri.UserInfo.Split(':', 2);
        cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? 5672 : uri.Port), string.IsNullOrEmpty(virtualHost) ? "/" : Uri.UnescapeDataString(virtualHost), h =>
        {
            if (credentials[0].Length > 0)
                h.Username(Uri.UnescapeDataString(credentials[0]));
            if (credentials.Length > 1)
                h.Password(Uri.UnescapeDataString(credentials[1]));
        });
    }
}
