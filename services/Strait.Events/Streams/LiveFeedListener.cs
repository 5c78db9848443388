using MassTransit;
using Strait.Contracts.Runs;
using Strait.Contracts.Telemetry;

namespace Strait.Events.Streams;

/// <summary>
/// This replica's own temporary queue (non-durable, deleted when the replica lets it go) bound to the lifecycle and feed
/// messages, so every replica sees every message and serves whichever listeners it holds. Plain handlers, no inbox or
/// outbox: nothing is stored, and a message missed while no replica listened has no listener to miss it.
/// </summary>
/// <remarks>
/// The queue exists only while someone watches: the first stream binds it (and answers once it is bound), and it is let
/// go after <see cref="IdleRelease"/> without listeners, so a platform nobody watches pays no delivery per transition.
/// </remarks>
public sealed partial class LiveFeedListener(IBus bus, RunStreamHub hub, TimeProvider time, ILogger<LiveFeedListener> logger) : BackgroundService
{
    public static readonly TimeSpan IdleRelease = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim gate = new(1, 1);
    private HostReceiveEndpointHandle? handle;

    /// <summary>Binds the queue if it is not bound; returns once messages flow to the hub.</summary>
    public async Task EnsureListeningAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref handle) is not null)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (handle is null)
            {
                var connected = bus.ConnectReceiveEndpoint(endpoint =>
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
                var ready = await connected.Ready.WaitAsync(cancellationToken);
                Volatile.Write(ref handle, connected);
                LogListening(ready.ReceiveEndpoint.InputAddress);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idleSince = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (hub.HasListeners || Volatile.Read(ref handle) is null)
            {
                idleSince = time.GetUtcNow();
                continue;
            }

            if (time.GetUtcNow() - idleSince >= IdleRelease)
            {
                await ReleaseAsync(stoppingToken);
                idleSince = time.GetUtcNow();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ReleaseAsync(cancellationToken);
    }

    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            // A stream that arrived meanwhile keeps the queue.
            if (handle is not null && !hub.HasListeners)
            {
                await handle.StopAsync(CancellationToken.None);
                Volatile.Write(ref handle, null);
                LogReleased();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live feed listening on {Address}")]
    private partial void LogListening(Uri address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live feed released: no stream listeners")]
    private partial void LogReleased();
}
