using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Strait.Benchmarks.Messaging.Contracts;
using Strait.Infrastructure;
using Strait.Messaging;

namespace Strait.Benchmarks.Messaging;

/// <summary>
/// Saga transitions per second through the PostgreSQL saga repository (row lock, inbox, outbox, one
/// transaction each), and commit-to-consume latency of a message published by an API-style handler
/// through the bus outbox, one at a time at idle.
/// </summary>
public sealed class MessagingBenchmark : IBenchmarkScenario
{
    public string Name => "messaging";

    public string Description => "saga transitions/s and outbox commit-to-consume latency (p50/p99)";

    public async Task RunAsync(IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var instances = BenchmarkArguments.Number(args, "--instances", 200);
        var ticks = BenchmarkArguments.Number(args, "--ticks", 10);
        var pings = BenchmarkArguments.Number(args, "--pings", 300);

        ArgumentNullException.ThrowIfNull(infrastructure);
        var postgres = await infrastructure.CreateDatabaseAsync(ct: cancellationToken);
        await using (var dbContext = new BenchDbContext(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(postgres).Options))
            await dbContext.Database.EnsureCreatedAsync(cancellationToken);

        var recorder = new PingRecorder();
        using var host = BuildHost(postgres, infrastructure.RabbitMqConnectionString, recorder);
        await host.StartAsync(cancellationToken);

        await MeasureSagaTransitions(host, postgres, instances, ticks, cancellationToken);
        await MeasureOutboxLatency(host, recorder, pings, cancellationToken);
        await MeasureCommitToBroker(host, infrastructure.RabbitMqConnectionString, pings, cancellationToken);
        await MeasureTimerLateness(host, recorder, BenchmarkArguments.Number(args, "--timers", 200), cancellationToken);

        await host.StopAsync(CancellationToken.None);
    }

    static IHost BuildHost(string postgres, string rabbitMq, PingRecorder recorder)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:rabbitmq"] = rabbitMq;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(recorder);
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
        builder.Services.AddDbContext<BenchDbContext>(options => options.UseNpgsql(postgres));
        builder.AddStraitMessaging<BenchDbContext>(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter("bench" + Guid.NewGuid().ToString("N")[..6], false));
            x.AddSagaStateMachine<BenchStateMachine, BenchState>().StraitRepository();
            x.AddConsumer<BenchPingConsumer>();
        });
        return builder.Build();
    }

    static async Task MeasureSagaTransitions(IHost host, string postgres, int instances, int ticks, CancellationToken cancellationToken)
    {
        var bus = host.Services.GetRequiredService<IBus>();
        var ids = Enumerable.Range(0, instances).Select(_ => NewId.NextGuid()).ToList();
        var total = instances * ticks;

        // Publish everything first, then time the consumption, so the figure is the saga's, not the publisher's.
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, ticks).SelectMany(_ => ids).Select(id => bus.Publish(new BenchTick { CorrelationId = id }, cancellationToken)));
        var published = stopwatch.Elapsed;

        await using var dbContext = new BenchDbContext(new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(postgres).Options);
        while (await dbContext.Set<BenchState>().SumAsync(x => x.Ticks, cancellationToken) < total)
            await Task.Delay(20, cancellationToken);
        var elapsed = stopwatch.Elapsed;

        Console.WriteLine($"saga: {total} transitions over {instances} instances in {elapsed.TotalSeconds:0.00} s " +
            $"(publishing took {published.TotalSeconds:0.00} s): {total / elapsed.TotalSeconds:0} transitions/s");
    }

    static async Task MeasureOutboxLatency(IHost host, PingRecorder recorder, int pings, CancellationToken cancellationToken)
    {
        // Warm-up: first use of each code path (EF query compilation, JIT, broker channel) is not steady state.
        for (var i = -20; i < pings; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var dbContext = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            dbContext.Add(new BenchLedgerEntry { Sequence = i });
            var publishEndpoint = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();

            // The commit timestamp is only known after SaveChanges; the message carries the time just before it,
            // and the consumer measures from there, so the figure includes the commit itself.
            await publishEndpoint.Publish(new BenchPing { Sequence = i, CommittedAt = Stopwatch.GetTimestamp() }, cancellationToken);
            await dbContext.SaveChangesAsync(cancellationToken);

            var deadline = Stopwatch.StartNew();
            while (!recorder.Latencies.ContainsKey(i) && deadline.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(1, cancellationToken);
            await Task.Delay(5, cancellationToken);
        }

        var sorted = recorder.Latencies.Where(x => x.Key >= 0).Select(x => x.Value).Order().ToList();
        Console.WriteLine($"outbox: {sorted.Count}/{pings} handler publishes, SaveChanges to consumer: " +
            $"p50 {LatencyStatistics.Percentile(sorted, 50):0.0} ms, p99 {LatencyStatistics.Percentile(sorted, 99):0.0} ms, " +
            $"max {sorted.LastOrDefault():0.0} ms");
    }

    /// <summary>
    /// SaveChanges to a plain AMQP consumer on the destination queue: the outbox delivery path alone
    /// (wake-up, claim, publish with confirm, delete), without MassTransit's consume side.
    /// </summary>
    static async Task MeasureCommitToBroker(IHost host, string rabbitMq, int pings, CancellationToken cancellationToken)
    {
        var queue = "bench-raw-" + Guid.NewGuid().ToString("N")[..6];
        var arrivals = new System.Collections.Concurrent.ConcurrentDictionary<int, double>();
        var factory = new ConnectionFactory { Uri = new Uri(rabbitMq) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // Declared as MassTransit declares a send destination, so its declaration agrees with ours.
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            using var envelope = System.Text.Json.JsonDocument.Parse(delivery.Body);
            var message = envelope.RootElement.GetProperty("message");
            arrivals.TryAdd(message.GetProperty("sequence").GetInt32(),
                Stopwatch.GetElapsedTime(message.GetProperty("committedAt").GetInt64(), arrived).TotalMilliseconds);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer: consumer, cancellationToken: cancellationToken);

        for (var i = -20; i < pings; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var dbContext = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            dbContext.Add(new BenchLedgerEntry { Sequence = i });
            var endpoint = await scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(new Uri($"queue:{queue}"));
            await endpoint.Send(new BenchPing { Sequence = i, CommittedAt = Stopwatch.GetTimestamp() }, cancellationToken);
            await dbContext.SaveChangesAsync(cancellationToken);

            var deadline = Stopwatch.StartNew();
            while (!arrivals.ContainsKey(i) && deadline.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(1, cancellationToken);
            await Task.Delay(5, cancellationToken);
        }

        await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
        var sorted = arrivals.Where(x => x.Key >= 0).Select(x => x.Value).Order().ToList();
        Console.WriteLine($"outbox: {sorted.Count}/{pings} handler sends, SaveChanges to broker (plain AMQP consumer): " +
            $"p50 {LatencyStatistics.Percentile(sorted, 50):0.0} ms, p99 {LatencyStatistics.Percentile(sorted, 99):0.0} ms, " +
            $"max {sorted.LastOrDefault():0.0} ms");
    }

    static async Task MeasureTimerLateness(IHost host, PingRecorder recorder, int timers, CancellationToken cancellationToken)
    {
        // Timers due 2 s from now, spread over 1 s: lateness = consumed time minus due time.
        recorder.Latencies.Clear();
        var queue = new Uri($"queue:{host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<BenchPingConsumer>()}");
        var now = Stopwatch.GetTimestamp();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            for (var i = 0; i < timers; i++)
            {
                var dueIn = TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(1000.0 * i / timers);
                var dueAt = now + (long)(dueIn.TotalSeconds * Stopwatch.Frequency);
                await scheduler.ScheduleSend(queue, DateTime.UtcNow + dueIn, new BenchPing { Sequence = i, CommittedAt = dueAt }, cancellationToken);
            }

            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync(cancellationToken);
        }

        var deadline = Stopwatch.StartNew();
        while (recorder.Latencies.Count < timers && deadline.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20, cancellationToken);

        var sorted = recorder.Latencies.Values.Order().ToList();
        Console.WriteLine($"scheduler: {sorted.Count}/{timers} timers, due time to consumer: " +
            $"p50 {LatencyStatistics.Percentile(sorted, 50):0.0} ms, p99 {LatencyStatistics.Percentile(sorted, 99):0.0} ms, " +
            $"max {sorted.LastOrDefault():0.0} ms");
    }
}
