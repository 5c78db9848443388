using System.Data;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.Messaging.Entities;
using ScheduledMessage = Strait.Messaging.Entities.ScheduledMessage;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Sends timers whose due time (by the database clock) has passed, then deletes them, in one
/// transaction per batch. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the
/// work and never send the same row twice; a cancellation that commits first deletes the row, and one
/// that arrives while a replica holds it waits and then finds nothing to delete (the state machine's
/// token check ignores the late timer). Sleeps until the next due time, a commit that added a timer,
/// or the safety-net poll.
/// </summary>
public sealed partial class ScheduledMessageDeliveryService<TDbContext> : BackgroundService
    where TDbContext : DbContext
{
    readonly IBusControl _bus;
    readonly IServiceScopeFactory _scopeFactory;
    readonly StraitMessagingSignals _signals;
    readonly StraitMessagingOptions _options;
    readonly ILogger<ScheduledMessageDeliveryService<TDbContext>> _logger;

    public ScheduledMessageDeliveryService(IBusControl bus, IServiceScopeFactory scopeFactory, StraitMessagingSignals signals,
        IOptions<StraitMessagingOptions> options, ILogger<ScheduledMessageDeliveryService<TDbContext>> logger)
    {
        _bus = bus;
        _scopeFactory = scopeFactory;
        _signals = signals;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (sent, nextDue) = await DeliverDue(stoppingToken);
                if (sent >= _options.SchedulerBatchSize)
                    continue;

                var wait = nextDue is { } due && due < _options.SchedulerPollInterval ? due : _options.SchedulerPollInterval;
                if (wait > TimeSpan.Zero)
                    await _signals.Scheduler.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                LogDeliveryFaulted(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    async Task<(int Sent, TimeSpan? NextDue)> DeliverDue(CancellationToken cancellationToken)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var table = StoreNames.Scheduled(dbContext).QualifiedTable;

        var sent = new List<Guid>();
        await using (var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken))
        {
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
            var due = await dbContext.Set<ScheduledMessage>()
                .FromSqlRaw($"SELECT * FROM {table} WHERE due_time <= clock_timestamp() ORDER BY due_time LIMIT {{0}} FOR UPDATE SKIP LOCKED",
                    _options.SchedulerBatchSize)
                .AsNoTracking()
                .ToListAsync(cancellationToken);
#pragma warning restore EF1002

            // Timers due together have no order among themselves: send the batch concurrently so the
            // broker confirms them together, and keep (delete) exactly the ones it confirmed.
            var results = await Task.WhenAll(due.Select(message => TrySend(message, cancellationToken)));
            sent.AddRange(due.Where((_, i) => results[i] is null).Select(x => x.TokenId));
            var fault = results.FirstOrDefault(x => x is not null);

            if (sent.Count > 0)
            {
                await dbContext.Set<ScheduledMessage>().Where(x => sent.Contains(x.TokenId)).ExecuteDeleteAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            if (fault is not null)
                throw new MessageException(typeof(ScheduledMessage), "Scheduled delivery stopped at a message the broker did not accept", fault);
        }

#pragma warning disable EF1002
        var next = await dbContext.Database
            .SqlQueryRaw<double?>($"SELECT EXTRACT(EPOCH FROM (min(due_time) - clock_timestamp()))::float8 AS \"Value\" FROM {table}")
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002
        TimeSpan? nextDue = next[0] is { } seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : null;
        return (sent.Count, nextDue);
    }

    async Task<Exception?> TrySend(ScheduledMessage message, CancellationToken cancellationToken)
    {
        try
        {
            message.Deserialize(SystemTextJsonMessageSerializer.Instance);
            var destination = message.DestinationAddress
                ?? throw new MessageException(typeof(ScheduledMessage), $"Scheduled message {message.TokenId} has no destination address");
            var endpoint = await _bus.GetSendEndpoint(destination);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return exception;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled message delivery faulted; retrying")]
    partial void LogDeliveryFaulted(Exception exception);
}
