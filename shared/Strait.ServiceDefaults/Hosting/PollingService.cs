using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Strait.ServiceDefaults.Hosting;

/// <summary>
/// A background poller: one pass, then the wait the pass asks for; a failed pass is logged and tried again after
/// <see cref="RetryDelay"/>. Shutdown ends the loop between or during passes.
/// </summary>
public abstract partial class PollingService(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    /// <summary>Whether the poller runs at all (a configuration switch); checked once at start.</summary>
    protected virtual bool Enabled => true;

    /// <summary>How long to wait after a pass that failed.</summary>
    protected abstract TimeSpan RetryDelay { get; }

    /// <summary>One pass; returns how long to wait before the next one.</summary>
    protected abstract Task<TimeSpan> PollAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await PollAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogPassFailed(exception, GetType().Name);
                wait = RetryDelay;
            }

            await Task.Delay(wait, Time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Poller} pass failed; retrying")]
    private partial void LogPassFailed(Exception exception, string poller);
}
