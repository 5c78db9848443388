using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Saga;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>The run saga on MassTransit's in-memory test harness, with runs planted in any state as the trigger handler would insert them.</summary>
public sealed class RunStateMachineHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private RunStateMachineHarness(ServiceProvider provider, ITestHarness harness, ConcurrentQueue<string> warnings)
    {
        this.provider = provider;
        Harness = harness;
        Warnings = warnings;
    }

    public ITestHarness Harness { get; }

    /// <summary>What the saga logged at warning level or above, formatted.</summary>
    public ConcurrentQueue<string> Warnings { get; }

    public static async Task<RunStateMachineHarness> StartAsync(int heartbeatTimeoutSecs = 60)
    {
        var warnings = new ConcurrentQueue<string>();
        var provider = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(new WarningCapture(warnings)))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(new RunLifecycleOptions { HeartbeatTimeoutSecs = heartbeatTimeoutSecs, DeadlineGraceSecs = 0 }))
            .AddMassTransitTestHarness(x =>
            {
                x.AddDelayedMessageScheduler();
                x.AddSagaStateMachine<RunStateMachine, RunState>().InMemoryRepository();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(10);
        await harness.Start();
        return new RunStateMachineHarness(provider, harness, warnings);
    }

    public static RunState NewRun(string state, int attempt = 1, int maxAttempts = 3, int timeoutSecs = 300) => new()
    {
        CorrelationId = Guid.CreateVersion7(),
        CurrentState = state,
        JobId = Guid.CreateVersion7(),
        ProjectId = "p",
        Attempt = attempt,
        MaxAttempts = maxAttempts,
        TimeoutSecs = timeoutSecs,
        EndpointUrl = "http://example.com/run",
        Payload = "{}",
        PayloadHash = "h",
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    public RunState Plant(RunState run)
    {
        provider.GetRequiredService<IndexedSagaDictionary<RunState>>().Add(new SagaInstance<RunState>(run));
        return run;
    }

    public Task Publish<T>(T message) where T : class => Harness.Bus.Publish(message);

    /// <summary>Delivers a timer as the scheduler does: carrying the token it was scheduled with.</summary>
    public Task PublishTimer<T>(T message, Guid tokenId) where T : class =>
        Harness.Bus.Publish(message, context => context.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D")));

    public async Task<RunCommandResult> RequestAsync<T>(T command) where T : class
    {
        var client = Harness.GetRequestClient<T>();
        return (await client.GetResponse<RunCommandResult>(command)).Message;
    }

    /// <summary>Waits until the run is in <paramref name="status"/> (state machine transitions are asynchronous).</summary>
    public async Task<RunState> WaitForStatusAsync(Guid runId, string status, TimeSpan? timeout = null)
    {
        var saga = Harness.GetSagaStateMachineHarness<RunStateMachine, RunState>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var instance = saga.Sagas.Contains(runId);
            if (instance is not null && RunStatuses.FromStateName(instance.CurrentState) == status)
            {
                return instance;
            }

            await Task.Delay(20);
        }

        var current = saga.Sagas.Contains(runId);
        throw new TimeoutException($"run {runId} is {(current is null ? "missing" : RunStatuses.FromStateName(current.CurrentState))}, expected {status}");
    }

    public async Task<IReadOnlyList<T>> PublishedAsync<T>(Func<T, bool> filter) where T : class
    {
        await Harness.InactivityTask;
        return Harness.Published.Select<T>().Select(m => m.Context.Message).Where(filter).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await provider.DisposeAsync();
    }

    private sealed class WarningCapture(ConcurrentQueue<string> warnings) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                warnings.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
