using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Strait.Messaging;

/// <summary>
/// Broker entities an earlier version of a service declared and this one no longer uses. MassTransit declares what a
/// service consumes but never removes anything, so on a broker upgraded in place they would go on working: an endpoint
/// whose consumer is gone keeps receiving a copy of every message it was bound to, read by nobody; a message type's
/// binding to an endpoint that no longer consumes it delivers every message there too, to be moved aside as skipped.
/// <see cref="ObsoleteTopologyExtensions.AddStraitObsoleteTopology"/> removes them once the bus has started.
/// </summary>
public sealed class ObsoleteTopology
{
    internal List<(Func<IBus, string> Source, Func<IEndpointNameFormatter, string> Endpoint)> Bindings { get; } = [];

    internal List<Func<IEndpointNameFormatter, string>> Endpoints { get; } = [];

    /// <summary>The binding of <typeparamref name="TMessage"/>'s exchange to <paramref name="endpoint"/>, which stays.</summary>
    public ObsoleteTopology Binding<TMessage>(Func<IEndpointNameFormatter, string> endpoint)
        where TMessage : class
    {
        Bindings.Add((bus => bus.Topology.Message<TMessage>().EntityName, endpoint));
        return this;
    }

    /// <summary>A whole endpoint: its queue (with whatever is in it) and its exchange (with every binding to it).</summary>
    public ObsoleteTopology Endpoint(Func<IEndpointNameFormatter, string> endpoint)
    {
        Endpoints.Add(endpoint);
        return this;
    }
}

public static class ObsoleteTopologyExtensions
{
    /// <summary>Removes <paramref name="configure"/>'s entities from the broker after the bus has started (call after AddStraitMessaging).</summary>
    public static IHostApplicationBuilder AddStraitObsoleteTopology(this IHostApplicationBuilder builder, Action<ObsoleteTopology> configure)
    {
        var topology = new ObsoleteTopology();
        configure(topology);
        builder.Services.AddSingleton(sp => new ObsoleteTopologyCleanup(sp.GetRequiredService<IBus>(),
            sp.GetRequiredService<IEndpointNameFormatter>(), topology, sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ILogger<ObsoleteTopologyCleanup>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ObsoleteTopologyCleanup>());
        return builder;
    }
}

/// <summary>
/// Removes the obsolete entities, each on its own channel (the broker closes a channel on an entity it does not know,
/// which here means there is nothing to remove), retrying while the broker cannot be reached.
/// </summary>
public sealed partial class ObsoleteTopologyCleanup(IBus bus, IEndpointNameFormatter formatter, ObsoleteTopology topology,
    IConfiguration configuration, ILogger<ObsoleteTopologyCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RemoveAsync(stoppingToken);
                return;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 403)
            {
                // The service's broker user may not configure: retrying will not help; an operator removes them.
                LogRefused(ex);
                return;
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException)
            {
                LogRetry(ex, RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The bindings (source exchange, endpoint) and endpoints this removes, by their names on the broker.</summary>
    public (IReadOnlyList<(string Source, string Endpoint)> Bindings, IReadOnlyList<string> Endpoints) Names() =>
        (topology.Bindings.Select(b => (b.Source(bus), b.Endpoint(formatter))).ToList(), topology.Endpoints.Select(e => e(formatter)).ToList());

    /// <summary>Removes the entities once (what is already gone is skipped); throws when the broker cannot be reached.</summary>
    public async Task RemoveAsync(CancellationToken stoppingToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(configuration.GetConnectionString("rabbitmq")!),
            ClientProvidedName = "strait-obsolete-topology",
        };
        await using var connection = await factory.CreateConnectionAsync(stoppingToken);
        foreach (var (source, endpoint) in topology.Bindings)
        {
            // Unbinding what is not bound succeeds (AMQP has no way to ask first); a missing exchange is a 404.
            var (from, to) = (source(bus), endpoint(formatter));
            await TryAsync(connection, c => c.ExchangeUnbindAsync(to, from, "", cancellationToken: stoppingToken), stoppingToken);
            LogUnbound(from, to);
        }

        foreach (var endpoint in topology.Endpoints)
        {
            var name = endpoint(formatter);
            if (await TryAsync(connection, async c => await c.QueueDeclarePassiveAsync(name, stoppingToken), stoppingToken))
            {
                await TryAsync(connection, async c => await c.QueueDeleteAsync(name, cancellationToken: stoppingToken), stoppingToken);
                LogDeleted(name);
            }

            await TryAsync(connection, c => c.ExchangeDeleteAsync(name, cancellationToken: stoppingToken), stoppingToken);
        }
    }

    /// <summary>False when the broker refused because the entity does not exist (404).</summary>
    private static async Task<bool> TryAsync(IConnection connection, Func<IChannel, Task> operation, CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            await operation(channel);
            await channel.CloseAsync(ct);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The obsolete binding of {Source} to {Endpoint} is gone")]
    private partial void LogUnbound(string source, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the obsolete endpoint {Endpoint} (queue and exchange)")]
    private partial void LogDeleted(string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "The broker refused to remove obsolete entities (access refused); remove them by hand")]
    private partial void LogRefused(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Obsolete broker entities not removed yet; retrying in {Delay}")]
    private partial void LogRetry(Exception exception, TimeSpan delay);
}
