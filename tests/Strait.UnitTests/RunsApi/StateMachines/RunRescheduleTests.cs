using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;
using static Strait.UnitTests.RunsApi.StateMachines.RunStateMachineHarness;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>Reschedule (semantics.md §7): only runs that have not started, later → delayed, now → queued and dispatched.</summary>
public sealed class RunRescheduleTests : IAsyncLifetime
{
    private RunStateMachineHarness h = null!;

    public async Task InitializeAsync() => h = await StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Delayed_RescheduledToNow_IsQueuedAndDispatchedWithTheNewPayload()
    {
        var run = h.Plant(NewRun("Delayed"));

        var result = await h.RequestAsync(new RescheduleRun
        {
            RunId = run.CorrelationId, ScheduledAt = DateTimeOffset.UtcNow.AddSeconds(-1), Payload = """{"v":2}""", PayloadHash = "h2",
        });

        Assert.Equal(200, result.Status);
        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Null(queued.ScheduledAt);
        Assert.Equal("h2", queued.PayloadHash);
        var dispatch = Assert.Single(await h.PublishedAsync<DispatchRun>(d => d.RunId == run.CorrelationId));
        Assert.Equal("""{"v":2}""", dispatch.Payload);
    }

    [Fact]
    public async Task Delayed_RescheduledLater_StaysDelayedAndFiresAtTheNewTime()
    {
        var run = h.Plant(NewRun("Delayed"));
        var at = DateTimeOffset.UtcNow.AddSeconds(1);

        var result = await h.RequestAsync(new RescheduleRun { RunId = run.CorrelationId, ScheduledAt = at });

        Assert.Equal(200, result.Status);
        Assert.Equal(at, h.Harness.GetSagaStateMachineHarness<RunStateMachine, RunState>().Sagas.Contains(run.CorrelationId)!.ScheduledAt);
        Assert.NotNull(h.Harness.GetSagaStateMachineHarness<RunStateMachine, RunState>().Sagas.Contains(run.CorrelationId)!.ScheduleDueToken);
        await h.WaitForStatusAsync(run.CorrelationId, "queued", TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Queued_NeverDispatched_RescheduledLater_IsWithdrawnAndDelayed()
    {
        var run = h.Plant(NewRun("Queued"));

        var result = await h.RequestAsync(new RescheduleRun { RunId = run.CorrelationId, ScheduledAt = DateTimeOffset.UtcNow.AddHours(1) });

        Assert.Equal(200, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "delayed");
        Assert.Single(await h.PublishedAsync<WithdrawRun>(w => w.RunId == run.CorrelationId));
        Assert.Contains(await h.PublishedAsync<RunStatusChanged>(c => c.RunId == run.CorrelationId), c => c.From == "queued" && c.To == "delayed");
    }

    [Fact]
    public async Task Queued_AlreadyDispatchedOnce_IsNotEligible()
    {
        var run = NewRun("Queued", attempt: 2);
        run.FirstDispatchedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        h.Plant(run);

        var result = await h.RequestAsync(new RescheduleRun { RunId = run.CorrelationId, ScheduledAt = DateTimeOffset.UtcNow.AddHours(1) });

        Assert.Equal(409, result.Status);
        Assert.Equal("queued", result.RunStatus);
    }

    [Theory]
    [InlineData("Executing", 409)]
    [InlineData("Paused", 409)]
    [InlineData("Waiting", 409)]
    [InlineData("Completed", 410)]
    [InlineData("DeadLetter", 410)]
    public async Task StartedOrFinished_Reschedule_IsRefused(string state, int status)
    {
        var run = h.Plant(NewRun(state));

        var result = await h.RequestAsync(new RescheduleRun { RunId = run.CorrelationId, ScheduledAt = DateTimeOffset.UtcNow.AddHours(1) });

        Assert.Equal(status, result.Status);
    }

    [Fact]
    public async Task Missing_Reschedule_Is404()
    {
        var result = await h.RequestAsync(new RescheduleRun { RunId = Guid.CreateVersion7(), ScheduledAt = DateTimeOffset.UtcNow });

        Assert.Equal(404, result.Status);
    }
}
