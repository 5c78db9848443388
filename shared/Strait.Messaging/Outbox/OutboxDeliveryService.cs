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

namespace Strait.Messaging.Outbox;

/// <summary>
/// Sends committed outbox rows to the broker, oldest first (in commit order per correlation id), and
/// deletes them in the same transaction. Woken right after the commits of this process, with a
/// slow poll as a safety net for rows left by other (or crashed) replicas.
/// </summary>
/// <remarks>
/// One replica delivers a table at a time (a transaction-level advisory lock): it keeps the broker
/// order equal to the commit order of causally related messages, those of one correlation id (a run). A crash
/// between the broker's confirm and the commit sends those rows again: delivery is at-least-once.
/// </remarks>
public sealed partial class OutboxDeliveryService<TDbContext> : BackgroundService
    where TDbContext : DbContext
{
    const int LockBusy = -1;
    static readonly TimeSpan LockBusyDelay = TimeSpan.FromMilliseconds(10);

    readonly IBusControl _bus;
    readonly IServiceScopeFactory _scopeFactory;
    readonly StraitMessagingSignals _signals;
    readonly StraitMessagingOptions _options;
    readonly ILogger<OutboxDeliveryService<TDbContext>> _logger;

    public OutboxDeliveryService(IBusControl bus, IServiceScopeFactory scopeFactory, StraitMessagingSignals signals,
        IOptions<StraitMessagingOptions> options, ILogger<OutboxDeliveryService<TDbContext>> logger)
    {
        _bus = bus;
        _scopeFactory = scopeFactory;
        _signals = signals;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeliverOutbox)
            return;

        await _bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DeliverBatch(stoppingToken);
                if (sent == LockBusy)
                    await _signals.Outbox.WaitAsync(LockBusyDelay, stoppingToken);
                else if (sent < _options.OutboxBatchSize)
                    await _signals.Outbox.WaitAsync(_options.OutboxPollInterval, stoppingToken);
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

    async Task<int> DeliverBatch(CancellationToken cancellationToken)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        var dbContext = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var outbox = StoreNames.Outbox(dbContext);

        await using var transaction = await dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

        var locked = await dbContext.Database
            .SqlQueryRaw<bool>("SELECT pg_try_advisory_xact_lock(hashtextextended({0}, 0)) AS \"Value\"", "strait-outbox:" + outbox.QualifiedTable)
            .ToListAsync(cancellationToken);
        if (!locked[0])
            return LockBusy;

        // No FOR UPDATE: only the holder of the lock above deletes pending rows, and this statement's snapshot is taken
        // after the previous holder committed. Locking each row would write (and log) every row once more before
        // its delete.
#pragma warning disable EF1002 // identifiers come from the EF model, values are parameters
        const string pending = StraitMessagingModelBuilderExtensions.PendingOutboxRows;
        var messages = await dbContext.Set<OutboxMessage>()
            .FromSqlRaw($"SELECT * FROM {outbox.QualifiedTable} WHERE {pending} ORDER BY sequence_number LIMIT {{0}}", _options.OutboxBatchSize)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002
        if (messages.Count == 0)
            return 0;

        // Messages of one correlation id (one run) go out one after another in commit order; different ones go out
        // side by side, so a batch costs about one broker round trip instead of one per message. Messages without a
        // correlation id keep their commit order among themselves.
        var groups = messages.GroupBy(message => message.CorrelationId ?? Guid.Empty).ToList();
        // A broker that went away mid-send can leave a publish waiting for a confirm that never comes: give up on the
        // batch after a while, keep what was confirmed, and try the rest again on a fresh attempt.
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        sendTimeout.CancelAfter(_options.OutboxSendTimeout);
        var outcomes = await Task.WhenAll(groups.Select(group => SendInOrder(group, sendTimeout.Token)));
        var sent = outcomes.SelectMany(outcome => outcome.Sent).ToList();
        var fault = outcomes.Select(outcome => outcome.Fault).FirstOrDefault(exception => exception is not null);

        if (sent.Count > 0)
        {
            await dbContext.Set<OutboxMessage>().Where(x => sent.Contains(x.SequenceNumber)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (fault is not null)
            throw new MessageException(typeof(OutboxMessage), "Outbox delivery stopped at a message the broker did not accept", fault);

        return sent.Count;
    }

    /// <summary>Sends <paramref name="messages"/> in order, stopping at the first failure so none overtakes it.</summary>
    async Task<(List<long> Sent, Exception? Fault)> SendInOrder(IEnumerable<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var sent = new List<long>();
        foreach (var message in messages)
        {
            try
            {
                await Send(message, cancellationToken);
                sent.Add(message.SequenceNumber);
            }
            catch (Exception exception)
            {
                // Cancelled by the send timeout or by shutdown alike: what was confirmed so far is kept.
                return (sent, exception);
            }
        }

        return (sent, null);
    }

    async Task Send(StoredMessage message, CancellationToken cancellationToken)
    {
        message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        var destination = message.DestinationAddress
            ?? throw new MessageException(typeof(OutboxMessage), $"Outbox message {message.MessageId} has no destination address");
        var endpoint = await _bus.GetSendEndpoint(destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(message, destination), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox delivery faulted; retrying")]
    partial void LogDeliveryFaulted(Exception exception);
}
