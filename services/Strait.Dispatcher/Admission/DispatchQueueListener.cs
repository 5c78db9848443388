using Npgsql;

namespace Strait.Dispatcher.Admission;

/// <summary>LISTENs on <see cref="DispatchQueueSignal.Channel"/> and wakes the admission loop; reconnects after failures.</summary>
public sealed partial class DispatchQueueListener(IConfiguration configuration, DispatchQueueSignal signal, ILogger<DispatchQueueListener> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = configuration.GetConnectionString("postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:postgres is not set");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Wake.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {DispatchQueueSignal.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything that changed while we were not listening is picked up by one pass now.
                signal.Wake.Set();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogListenFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for dispatch queue changes failed; reconnecting")]
    private partial void LogListenFailed(Exception exception);
}
