using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.Messaging.Entities;

namespace Strait.Messaging.Outbox;

/// <summary>Deletes inbox rows of delivered messages once they are older than the duplicate-detection window.</summary>
public sealed partial class InboxCleanupService<TDbContext> : BackgroundService
    where TDbContext : DbContext
{
    readonly IServiceScopeFactory _scopeFactory;
    readonly StraitMessagingOptions _options;
    readonly TimeProvider _timeProvider;
    readonly ILogger<InboxCleanupService<TDbContext>> _logger;

    public InboxCleanupService(IServiceScopeFactory scopeFactory, IOptions<StraitMessagingOptions> options, TimeProvider timeProvider,
        ILogger<InboxCleanupService<TDbContext>> logger)
    {
        _scopeFactory = scopeFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = _options.DuplicateDetectionWindow / 10;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _timeProvider, stoppingToken);
                await using var scope = _scopeFactory.CreateAsyncScope();
                var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
                var cutoff = _timeProvider.GetUtcNow().UtcDateTime - _options.DuplicateDetectionWindow;
                await dbContext.Set<InboxState>().Where(x => x.Delivered < cutoff).ExecuteDeleteAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogCleanupFaulted(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox cleanup faulted")]
    partial void LogCleanupFaulted(Exception exception);
}
