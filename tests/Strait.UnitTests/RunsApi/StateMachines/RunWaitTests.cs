using MassTransit;
using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;
using static Strait.UnitTests.RunsApi.StateMachines.RunStateMachineHarness;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>The wait-for-event edges of the run saga: executing → waiting → queued (resume) | timed_out | canceled.</summary>
public sealed class RunWaitTests : IAsyncLifetime
{
    private RunStateMachineHarness h = null!;

    public async Task InitializeAsync() => h = await StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task WaitRequested_WhileExecuting_ReleasesTheSlotWithoutAbortingTheCallAndArmsTheTimeout()
    {
        var run = h.Plant(NewRun("Executing"));

        var result = await h.RequestAsync(Wait(run, "event:order.paid", TimeSpan.FromMinutes(5)));

        Assert.Equal(200, result.Status);
        Assert.Equal("waiting", result.RunStatus);
        var waiting = await h.WaitForStatusAsync(run.CorrelationId, "waiting");
        Assert.Equal("event:order.paid", waiting.WaitReason);
        Assert.NotNull(waiting.WaitTimeoutToken);
        Assert.Null(waiting.ExecutionDeadlineToken);
        var release = Assert.Single(await h.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId));
        Assert.False(release.AbortCall);
        Assert.Equal(1, release.Attempt);
        Assert.Contains(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId), m => m is { From: "executing", To: "waiting" });
    }

    [Fact]
    public async Task WaitRequested_WithAStaleToken_Answers401AndKeepsExecuting()
    {
        var run = h.Plant(NewRun("Executing", attempt: 2));

        var result = await h.RequestAsync(Wait(run, "event:x", TimeSpan.FromMinutes(5), attempt: 1));

        Assert.Equal(401, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "executing");
        Assert.Empty(await h.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId));
    }

    [Theory]
    [InlineData("Waiting", 409)]
    [InlineData("Paused", 409)]
    [InlineData("Completed", 410)]
    [InlineData("TimedOut", 410)]
    public async Task WaitRequested_WhenNotExecuting_AnswersTheTruthAndChangesNothing(string state, int status)
    {
        var run = h.Plant(NewRun(state));

        var result = await h.RequestAsync(Wait(run, "event:x", TimeSpan.FromMinutes(5)));

        Assert.Equal(status, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, RunStatuses.FromStateName(state));
        Assert.Empty(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId));
    }

    [Fact]
    public async Task WaitRequested_FromACallWhoseStartNoticeHasNotCome_StartsTheAttemptAndParksTheRun()
    {
        var run = h.Plant(NewRun("Queued"));

        var result = await h.RequestAsync(Wait(run, "event:fast", TimeSpan.FromMinutes(5)));

        Assert.Equal(200, result.Status);
        var waiting = await h.WaitForStatusAsync(run.CorrelationId, "waiting");
        Assert.NotNull(waiting.StartedAt);
        Assert.NotNull(waiting.WaitTimeoutToken);
        Assert.False(Assert.Single(await h.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId)).AbortCall);
        var changes = (await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId)).Select(m => $"{m.From}->{m.To}");
        Assert.Equal(["queued->executing", "executing->waiting"], changes);
        // The call's own start notice, arriving late, changes nothing.
        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });
        await h.WaitForStatusAsync(run.CorrelationId, "waiting");
    }

    [Fact]
    public async Task WaitRequested_InQueuedWithAnOlderAttempt_Answers409AndChangesNothing()
    {
        var run = h.Plant(NewRun("Queued", attempt: 2));

        var result = await h.RequestAsync(Wait(run, "event:x", TimeSpan.FromMinutes(5), attempt: 1));

        Assert.Equal(409, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Empty(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId));
    }

    [Theory]
    [InlineData("Executing", 409)]
    [InlineData("Queued", 409)]
    [InlineData("Canceled", 410)]
    public async Task Resume_OfARunThatIsNotWaiting_AnswersTheTruthAndDispatchesNothing(string state, int status)
    {
        var run = h.Plant(NewRun(state));

        var result = await h.RequestAsync(new ResumeWaitingRun { RunId = run.CorrelationId, EventKey = "k" });

        Assert.Equal(status, result.Status);
        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        Assert.Empty(await h.PublishedAsync<RunLeftWait>(m => m.RunId == run.CorrelationId));
    }

    [Fact]
    public async Task Resume_ThenTheOldWaitTimer_IsIgnoredAndTheNextAttemptStartCarriesNoEventKey()
    {
        var run = h.Plant(NewRun("Executing"));
        await h.RequestAsync(Wait(run, "event:k", TimeSpan.FromMinutes(5)));
        var token = (await h.WaitForStatusAsync(run.CorrelationId, "waiting")).WaitTimeoutToken!.Value;

        Assert.Equal(200, (await h.RequestAsync(new ResumeWaitingRun { RunId = run.CorrelationId, EventKey = "k" })).Status);
        await h.WaitForStatusAsync(run.CorrelationId, "queued");
        await h.PublishTimer(new RunWaitTimeout { RunId = run.CorrelationId }, token);
        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });

        var executing = await h.WaitForStatusAsync(run.CorrelationId, "executing");
        Assert.Equal(1, executing.Attempt);
        Assert.Null(executing.ResumedByEventKey);
        Assert.Null(executing.WaitTimeoutToken);
        Assert.DoesNotContain(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId), m => m.To == "timed_out");
        // Resumed through the queue: the events service's triggers are not closed by the saga.
        Assert.Empty(await h.PublishedAsync<RunLeftWait>(m => m.RunId == run.CorrelationId));
    }

    [Fact]
    public async Task Timeout_OfAWait_TimesOutWithTheReasonAndNoRetry()
    {
        var run = h.Plant(NewRun("Executing", maxAttempts: 5));
        await h.RequestAsync(Wait(run, "event:late", TimeSpan.FromMilliseconds(300)));

        var timedOut = await h.WaitForStatusAsync(run.CorrelationId, "timed_out", TimeSpan.FromSeconds(8));

        Assert.Equal(1, timedOut.Attempt);
        Assert.Equal("timeout", timedOut.ErrorClass);
        Assert.Contains("event:late", timedOut.Error);
        Assert.Empty(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        var left = Assert.Single(await h.PublishedAsync<RunLeftWait>(m => m.RunId == run.CorrelationId));
        Assert.Equal(("timed_out", run.ProjectId), (left.To, left.ProjectId));
    }

    [Fact]
    public async Task Cancel_OfAWaitingRun_CancelsAndDisarmsTheWaitTimer()
    {
        var run = h.Plant(NewRun("Executing"));
        await h.RequestAsync(Wait(run, "event:k", TimeSpan.FromMinutes(5)));
        await h.WaitForStatusAsync(run.CorrelationId, "waiting");

        var result = await h.RequestAsync(new CancelRun { RunId = run.CorrelationId, Reason = "canceled by user" });

        Assert.Equal(200, result.Status);
        var canceled = await h.WaitForStatusAsync(run.CorrelationId, "canceled");
        Assert.Null(canceled.WaitTimeoutToken);
        Assert.Equal(410, (await h.RequestAsync(new ResumeWaitingRun { RunId = run.CorrelationId, EventKey = "k" })).Status);
        Assert.Equal("canceled", Assert.Single(await h.PublishedAsync<RunLeftWait>(m => m.RunId == run.CorrelationId)).To);
    }

    private static RequestRunWait Wait(RunState run, string reason, TimeSpan timeout, int attempt = 1) =>
        new() { RunId = run.CorrelationId, Attempt = attempt, Reason = reason, TimeoutAt = DateTimeOffset.UtcNow + timeout };
}
