using MassTransit;
using Strait.Contracts.Runs;
using Strait.Contracts.Telemetry;

namespace Strait.Events.Streams;

/// <summary>
/// This replica's own temporary queue (non-durable, deleted when the replica goes) bound to the lifecycle and feed
/// messages, so every replica sees every message and serves whichever listeners it holds. Plain handlers, no inbox or
/// outbox: nothing is stored, and a message missed while no replica listened has no listener to miss it.
/// </summary>
public sealed class LiveFeedListener(IBus bus, RunStreamHub hub, ILogger<LiveFeedListener> logger) : IHostedService
{
    private HostReceiveEndpointHandle? handle;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        handle = bus.ConnectReceiveEndpoint(endpoint =>
        {
            endpoint.Handler<RunStatusChanged>(context =>
            {
                hub.Publish(context.Message);
                return Task.CompletedTask;
            });
            endpoint.Handler<RunFeedBatch>(context =>
            {
                hub.Publish(context.Message);
                return Task.CompletedTask;
            });
        });
        await handle.Ready.WaitAsync(cancellationToken);
        logger.LogInformation("Live feed listening on {Address}", (await handle.Ready).ReceiveEndpoint.InputAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (handle is not null)
        {
            await handle.StopAsync(cancellationToken);
        }
    }
}
