using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;
using static Strait.UnitTests.RunsApi.StateMachines.RunStateMachineHarness;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>Spawned runs and their parents (semantics.md §9.1): a child's end reaches its parent, which resumes only if it awaits that child.</summary>
public sealed class RunLineageStateMachineTests : IAsyncLifetime
{
    private RunStateMachineHarness h = null!;

    public async Task InitializeAsync() => h = await StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Theory]
    [InlineData("completed")]
    [InlineData("failed")]
    public async Task Child_ReachesTerminalStatus_TellsItsParent(string outcome)
    {
        var parentId = Guid.CreateVersion7();
        var child = NewRun("Executing");
        child.ParentRunId = parentId;
        h.Plant(child);

        var result = outcome == "completed"
            ? await h.RequestAsync(new CompleteRun { RunId = child.CorrelationId, Attempt = 1, Result = "{}" })
            : await h.RequestAsync(new FailRun { RunId = child.CorrelationId, Attempt = 1, Error = "boom" });

        Assert.Equal(200, result.Status);
        var notice = Assert.Single(await h.PublishedAsync<ChildRunFinished>(m => m.ChildRunId == child.CorrelationId));
        Assert.Equal(parentId, notice.RunId);
        Assert.Equal(outcome, notice.ChildStatus);
    }

    [Fact]
    public async Task ChainedJobsRun_Completes_AsksForTheOnCompleteTargetOnce()
    {
        var target = Guid.CreateVersion7();
        var run = NewRun("Executing");
        run.ChainOnComplete = target;
        run.ChainOnFailure = Guid.CreateVersion7();
        h.Plant(run);

        await h.RequestAsync(new CompleteRun { RunId = run.CorrelationId, Attempt = 1, Result = "{}" });

        var request = Assert.Single(await h.PublishedAsync<RunChainRequested>(m => m.SourceRunId == run.CorrelationId));
        Assert.Equal(target, request.TargetJobId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ChainedJobsRun_FailsThroughTheSdkOrIsCanceled_AsksForNothing(bool cancel)
    {
        var run = NewRun("Executing");
        run.ChainOnComplete = Guid.CreateVersion7();
        run.ChainOnFailure = Guid.CreateVersion7();
        h.Plant(run);

        if (cancel)
        {
            await h.RequestAsync(new CancelRun { RunId = run.CorrelationId, Reason = "test" });
            await h.WaitForStatusAsync(run.CorrelationId, "canceled");
        }
        else
        {
            await h.RequestAsync(new FailRun { RunId = run.CorrelationId, Attempt = 1, Error = "boom" });
            await h.WaitForStatusAsync(run.CorrelationId, "failed");
        }

        Assert.Empty(await h.PublishedAsync<RunChainRequested>(_ => true));
    }

    [Fact]
    public async Task RunWithoutParent_ReachesTerminalStatus_TellsNobody()
    {
        var run = h.Plant(NewRun("Executing"));

        await h.RequestAsync(new CompleteRun { RunId = run.CorrelationId, Attempt = 1 });

        await h.WaitForStatusAsync(run.CorrelationId, "completed");
        Assert.Empty(await h.PublishedAsync<ChildRunFinished>(_ => true));
    }

    [Fact]
    public async Task WaitingParent_AwaitedChildFinishes_RequeuesTheSameAttemptWithTheChildsOutcome()
    {
        var parent = h.Plant(NewRun("Executing", attempt: 2));
        var childId = Guid.CreateVersion7();
        var key = RunStateMachine.SpawnAwaitKey(childId);
        Assert.Equal(200, (await h.RequestAsync(new RequestRunWait { RunId = parent.CorrelationId, Attempt = 2, Reason = key, TimeoutAt = DateTimeOffset.UtcNow.AddMinutes(5) })).Status);
        var waiting = await h.WaitForStatusAsync(parent.CorrelationId, "waiting");
        Assert.Equal(key, waiting.WaitReason);
        Assert.NotNull(waiting.WaitTimeoutToken);

        await h.Publish(new ChildRunFinished { RunId = parent.CorrelationId, ChildRunId = childId, ChildStatus = "completed" });

        var queued = await h.WaitForStatusAsync(parent.CorrelationId, "queued");
        Assert.Equal(2, queued.Attempt);
        Assert.Null(queued.WaitReason);
        Assert.Null(queued.WaitTimeoutToken);
        var dispatch = Assert.Single(await h.PublishedAsync<DispatchRun>(m => m.RunId == parent.CorrelationId));
        Assert.Equal(2, dispatch.Attempt);
        Assert.Equal(key, dispatch.Headers!["X-Event-Key"]);
        Assert.Equal(childId.ToString("D"), dispatch.Headers["X-Child-Run-Id"]);
        Assert.Equal("completed", dispatch.Headers["X-Child-Status"]);
        Assert.Single(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == parent.CorrelationId && m.From == "waiting" && m.To == "queued"));
        var resolved = Assert.Single(await h.PublishedAsync<SpawnAwaitResolved>(m => m.RunId == parent.CorrelationId));
        Assert.Equal((childId, "completed"), (resolved.ChildRunId, resolved.ChildStatus));
    }

    [Fact]
    public async Task WaitingParent_AnotherChildFinishes_KeepsWaiting()
    {
        var parent = h.Plant(NewRun("Executing"));
        var awaited = Guid.CreateVersion7();
        await h.RequestAsync(new RequestRunWait { RunId = parent.CorrelationId, Attempt = 1, Reason = RunStateMachine.SpawnAwaitKey(awaited), TimeoutAt = DateTimeOffset.UtcNow.AddMinutes(5) });
        await h.WaitForStatusAsync(parent.CorrelationId, "waiting");

        await h.Publish(new ChildRunFinished { RunId = parent.CorrelationId, ChildRunId = Guid.CreateVersion7(), ChildStatus = "completed" });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == parent.CorrelationId));
        var still = await h.WaitForStatusAsync(parent.CorrelationId, "waiting");
        Assert.Equal(RunStateMachine.SpawnAwaitKey(awaited), still.WaitReason);
    }

    [Fact]
    public async Task WaitingForAnEvent_ChildFinishes_KeepsWaiting()
    {
        var parent = h.Plant(NewRun("Executing"));
        await h.RequestAsync(new RequestRunWait { RunId = parent.CorrelationId, Attempt = 1, Reason = "order.paid", TimeoutAt = DateTimeOffset.UtcNow.AddMinutes(5) });
        await h.WaitForStatusAsync(parent.CorrelationId, "waiting");

        await h.Publish(new ChildRunFinished { RunId = parent.CorrelationId, ChildRunId = Guid.CreateVersion7(), ChildStatus = "failed" });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == parent.CorrelationId));
        await h.WaitForStatusAsync(parent.CorrelationId, "waiting");
    }

    [Theory]
    [InlineData("Executing", "executing")]
    [InlineData("Completed", "completed")]
    [InlineData("Queued", "queued")]
    public async Task ParentNotWaiting_ChildFinishes_IsIgnored(string state, string status)
    {
        var parent = h.Plant(NewRun(state));

        await h.Publish(new ChildRunFinished { RunId = parent.CorrelationId, ChildRunId = Guid.CreateVersion7(), ChildStatus = "completed" });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == parent.CorrelationId));
        Assert.Empty(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == parent.CorrelationId));
        Assert.Empty(await h.PublishedAsync<SpawnAwaitResolved>(_ => true));
        await h.WaitForStatusAsync(parent.CorrelationId, status);
    }

    [Fact]
    public async Task WaitingParent_AwaitTimesOutBeforeTheChildEnds_TimesOutAndIgnoresTheLateChild()
    {
        var parent = h.Plant(NewRun("Executing"));
        var childId = Guid.CreateVersion7();
        await h.RequestAsync(new RequestRunWait { RunId = parent.CorrelationId, Attempt = 1, Reason = RunStateMachine.SpawnAwaitKey(childId), TimeoutAt = DateTimeOffset.UtcNow.AddSeconds(1) });

        var timedOut = await h.WaitForStatusAsync(parent.CorrelationId, "timed_out", TimeSpan.FromSeconds(8));
        Assert.Equal($"wait timed out: spawn-await:{childId}", timedOut.Error);
        await h.Publish(new ChildRunFinished { RunId = parent.CorrelationId, ChildRunId = childId, ChildStatus = "completed" });

        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == parent.CorrelationId));
        Assert.Empty(await h.PublishedAsync<SpawnAwaitResolved>(_ => true));
        await h.WaitForStatusAsync(parent.CorrelationId, "timed_out");
    }
}
