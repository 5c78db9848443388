using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;
using static Strait.UnitTests.RunsApi.StateMachines.RunStateMachineHarness;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>The job-dependency edge of the run saga: waiting (dependencies) → queued on <see cref="RunDependenciesMet"/>.</summary>
public sealed class RunDependencyWaitTests : IAsyncLifetime
{
    private RunStateMachineHarness h = null!;

    public async Task InitializeAsync() => h = await StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task DependenciesMet_WhileHeldByDependencies_QueuesAndDispatchesTheFirstAttempt()
    {
        var run = h.Plant(HeldRun());

        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });

        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Null(queued.WaitReason);
        Assert.Equal(1, queued.Attempt);
        var dispatch = Assert.Single(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        Assert.Equal(1, dispatch.Attempt);
        Assert.Contains(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId), m => m is { From: "waiting", To: "queued" });
    }

    [Fact]
    public async Task DependenciesMet_Twice_DispatchesOnce()
    {
        var run = h.Plant(HeldRun());

        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });
        await h.WaitForStatusAsync(run.CorrelationId, "queued");
        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });

        Assert.Single(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        await h.WaitForStatusAsync(run.CorrelationId, "queued");
    }

    [Fact]
    public async Task DependenciesMet_ForARunWaitingOnAnEvent_IsIgnored()
    {
        var run = NewRun("Waiting");
        run.WaitReason = "event:order.paid";
        h.Plant(run);

        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        Assert.Equal("event:order.paid", (await h.WaitForStatusAsync(run.CorrelationId, "waiting")).WaitReason);
    }

    [Theory]
    [InlineData("Canceled")]
    [InlineData("Executing")]
    public async Task DependenciesMet_ForARunNotWaiting_IsIgnored(string state)
    {
        var run = h.Plant(NewRun(state));

        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        await h.WaitForStatusAsync(run.CorrelationId, RunStatuses.FromStateName(state));
    }

    [Fact]
    public async Task ResumeWaitingRun_OfARunHeldByDependencies_Answers409AndKeepsItWaiting()
    {
        var run = h.Plant(HeldRun());

        var result = await h.RequestAsync(new ResumeWaitingRun { RunId = run.CorrelationId, EventKey = "dependencies" });

        Assert.Equal(409, result.Status);
        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        await h.WaitForStatusAsync(run.CorrelationId, "waiting");
    }

    [Fact]
    public async Task Cancel_OfARunHeldByDependencies_CancelsIt()
    {
        var run = h.Plant(HeldRun());

        var result = await h.RequestAsync(new CancelRun { RunId = run.CorrelationId, Reason = "no longer needed" });

        Assert.Equal(200, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "canceled");
        await h.Publish(new RunDependenciesMet { RunId = run.CorrelationId });
        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
    }

    private static RunState HeldRun()
    {
        var run = NewRun("Waiting");
        run.WaitReason = RunStateMachine.DependencyWaitReason;
        return run;
    }
}
