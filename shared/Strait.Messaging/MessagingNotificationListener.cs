using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Strait.Messaging;

/// <summary>
/// Holds one LISTEN connection and wakes this process's delivery loops when another replica commits
/// outbox or timer rows in the same schema (commits in this process wake them directly).
/// </summary>
public sealed partial class MessagingNotificationListener<TDbContext> : BackgroundService
    where TDbContext : DbContext
{
    readonly IServiceScopeFactory _scopeFactory;
    readonly StraitMessagingSignals _signals;
    readonly ILogger<MessagingNotificationListener<TDbContext>> _logger;

    public MessagingNotificationListener(IServiceScopeFactory scopeFactory, StraitMessagingSignals signals,
        ILogger<MessagingNotificationListener<TDbContext>> logger)
    {
        _scopeFactory = scopeFactory;
        _signals = signals;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string connectionString;
        string schema;
        await using (var scope = _scopeFactory.CreateAsyncScope())
        {
            var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
            connectionString = dbContext.Database.GetConnectionString()
                ?? throw new InvalidOperationException($"{typeof(TDbContext).Name} has no connection string to listen on.");
            schema = StoreNames.Outbox(dbContext).Schema;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
                {
                    Pooling = false,
                    KeepAlive = 30,
                }.ConnectionString);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload == MessagingNotifications.Payload(schema, MessagingNotifications.Outbox))
                        _signals.Outbox.Set();
                    else if (e.Payload == MessagingNotifications.Payload(schema, MessagingNotifications.Scheduler))
                        _signals.Scheduler.Set();
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {MessagingNotifications.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);

                // Rows committed while we were not listening: look once.
                _signals.Outbox.Set();
                _signals.Scheduler.Set();

                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogListenFaulted(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection for messaging wake-ups lost; reconnecting")]
    partial void LogListenFaulted(Exception exception);
}
