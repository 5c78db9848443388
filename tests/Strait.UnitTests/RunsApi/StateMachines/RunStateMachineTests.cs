using Strait.Contracts.Runs;
using Strait.RunsApi.StateMachines;
using static Strait.UnitTests.RunsApi.StateMachines.RunStateMachineHarness;

namespace Strait.UnitTests.RunsApi.StateMachines;

/// <summary>Every transition of semantics.md §1 as the saga makes it, on MassTransit's in-memory test harness.</summary>
public sealed class RunStateMachineTests : IAsyncLifetime
{
    private static readonly ExecutionTrace Trace = new() { TotalMs = 5 };
    private RunStateMachineHarness h = null!;

    public async Task InitializeAsync() => h = await StartAsync(heartbeatTimeoutSecs: 1);

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Fact]
    public async Task Queued_DispatchStarted_BecomesExecutingAndRecordsTheTransition()
    {
        var run = h.Plant(NewRun("Queued"));

        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });

        var executing = await h.WaitForStatusAsync(run.CorrelationId, "executing");
        Assert.NotNull(executing.StartedAt);
        Assert.NotNull(executing.ExecutionDeadlineToken);
        Assert.Single(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId && m.From == "queued" && m.To == "executing"));
    }

    [Fact]
    public async Task Queued_QuickCallSucceededWithoutStartNotice_CompletedViaExecutingWithTheCallsStartTime()
    {
        var run = h.Plant(NewRun("Queued"));
        var startedAt = DateTimeOffset.UtcNow.AddMilliseconds(-40);

        await h.Publish(new RunDispatchSucceeded { RunId = run.CorrelationId, Attempt = 1, StatusCode = 200, Trace = Trace, StartedAt = startedAt });

        var done = await h.WaitForStatusAsync(run.CorrelationId, "completed");
        Assert.Equal(startedAt, done.StartedAt);
        Assert.Equal(startedAt, done.FirstDispatchedAt);
        Assert.Null(done.ExecutionDeadlineToken);
        // One message tells both steps: queued → executing (at the call's start) → completed.
        var change = Assert.Single(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId));
        Assert.Equal(("queued", "executing", "completed"), (change.From, change.Via, change.To));
        Assert.Equal(startedAt, change.ViaAt);
    }

    [Fact]
    public async Task CreationUntold_TheFirstTransitionTellsTheCreation_AndOnlyTheFirst()
    {
        var planted = NewRun("Queued");
        planted.CreationUntold = true;
        var run = h.Plant(planted);

        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });
        var executing = await h.WaitForStatusAsync(run.CorrelationId, "executing");
        Assert.False(executing.CreationUntold);
        await h.Publish(new RunDispatchSucceeded { RunId = run.CorrelationId, Attempt = 1, StatusCode = 200, Trace = Trace });
        await h.WaitForStatusAsync(run.CorrelationId, "completed");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId)).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var timeline = await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId);
        Assert.Equal(["queued>executing", "executing>completed"], timeline.Select(m => $"{m.From}>{m.To}"));
        Assert.Equal(executing.CreatedAt, timeline[0].CreatedAt);
        Assert.Null(timeline[1].CreatedAt);
        Assert.Equal([">queued", "queued>executing"], timeline[0].Steps().Select(m => $"{m.From}>{m.To}"));
    }

    [Fact]
    public async Task CreationTold_TheFirstTransitionDoesNotTellItAgain()
    {
        var run = h.Plant(NewRun("Queued"));

        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });
        await h.WaitForStatusAsync(run.CorrelationId, "executing");

        var change = Assert.Single(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId));
        Assert.Null(change.CreatedAt);
        Assert.Single(change.Steps());
    }

    [Fact]
    public async Task Queued_QuickCallFailedRetryably_ShowsTheAttemptExecutingThenRequeuesTheNext()
    {
        var run = h.Plant(NewRun("Queued"));

        await h.Publish(new RunDispatchFailed
        {
            RunId = run.CorrelationId, Attempt = 1, ErrorClass = "server", Error = "endpoint returned 500", Retryable = true, StatusCode = 500,
            StartedAt = DateTimeOffset.UtcNow,
        });

        // Planted queued, so wait for the retry's traces: the second transition and the next attempt's number.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId)).Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Equal(2, queued.Attempt);
        Assert.NotNull(queued.NextRetryAt);
        var timeline = await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId);
        Assert.Equal(["queued>executing", "executing>queued"], timeline.Select(m => $"{m.From}>{m.To}"));
        Assert.All(timeline, m => Assert.Equal(1, m.Attempt));
    }

    [Fact]
    public async Task Queued_QuickCallTimedOutOnTheLastAttempt_IsTimedOutNotDeadLettered()
    {
        var run = h.Plant(NewRun("Queued", attempt: 3, maxAttempts: 3));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 3, ErrorClass = "timeout", Error = "attempt timed out", Retryable = true });

        var timedOut = await h.WaitForStatusAsync(run.CorrelationId, "timed_out");
        Assert.Equal("timeout", timedOut.ErrorClass);
    }

    [Fact]
    public async Task DispatchOutcome_ForARunThatDoesNotExist_IsDroppedWithAWarning()
    {
        await using var h = await RunStateMachineHarness.StartAsync();
        var runId = Guid.CreateVersion7();

        await h.Publish(new RunDispatchSucceeded { RunId = runId, Attempt = 2, StatusCode = 200, Trace = Trace });

        Assert.True(await h.Harness.Consumed.Any<RunDispatchSucceeded>(m => m.Context.Message.RunId == runId));
        await h.Harness.InactivityTask;
        Assert.Contains(h.Warnings, w => w.Contains(runId.ToString(), StringComparison.Ordinal) && w.Contains("attempt 2", StringComparison.Ordinal)
            && w.Contains(nameof(RunDispatchSucceeded), StringComparison.Ordinal));
        Assert.Empty(h.Harness.Published.Select<RunStatusChanged>());
    }

    [Fact]
    public async Task Executing_DispatchSucceeded_CompletesWithResultAndTrace()
    {
        var run = h.Plant(NewRun("Executing"));

        await h.Publish(new RunDispatchSucceeded { RunId = run.CorrelationId, Attempt = 1, StatusCode = 200, Result = """{"ok":true}""", Trace = Trace });

        var done = await h.WaitForStatusAsync(run.CorrelationId, "completed");
        Assert.Equal("""{"ok":true}""", done.Result);
        Assert.Equal(5, done.ExecutionTrace!.TotalMs);
        Assert.NotNull(done.FinishedAt);
    }

    [Fact]
    public async Task Executing_RetryableFailureWithAttemptsLeft_RequeuesWithBackoffThenDispatchesNextAttempt()
    {
        var run = h.Plant(NewRun("Executing"));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 1, ErrorClass = "server", Error = "endpoint returned 503", Retryable = true, StatusCode = 503 });

        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Equal(2, queued.Attempt);
        Assert.Equal("server", queued.ErrorClass);
        var left = Assert.Single(await h.PublishedAsync<RunStatusChanged>(m => m.RunId == run.CorrelationId && m.From == "executing"));
        Assert.Equal(1, left.Attempt);
        Assert.NotNull(queued.NextRetryAt);
        // The ~1 s back-off elapses, then attempt 2 is dispatched carrying the previous error.
        await Task.Delay(1500);
        var dispatches = await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId);
        var retry = Assert.Single(dispatches);
        Assert.Equal(2, retry.Attempt);
        Assert.Equal("endpoint returned 503", retry.Headers!["X-Previous-Error"]);
    }

    [Fact]
    public async Task Executing_RetryableFailureOnLastAttempt_GoesToDeadLetter()
    {
        var run = h.Plant(NewRun("Executing", attempt: 3, maxAttempts: 3));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 3, ErrorClass = "server", Error = "endpoint returned 500", Retryable = true });

        var dead = await h.WaitForStatusAsync(run.CorrelationId, "dead_letter");
        Assert.Equal("endpoint returned 500", dead.Error);
    }

    [Fact]
    public async Task Executing_TimeoutOnLastAttempt_GoesToTimedOut()
    {
        var run = h.Plant(NewRun("Executing", attempt: 2, maxAttempts: 2));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 2, ErrorClass = "timeout", Error = "attempt timed out", Retryable = true });

        await h.WaitForStatusAsync(run.CorrelationId, "timed_out");
    }

    [Fact]
    public async Task Executing_PermanentFailure_GoesToDeadLetterAfterOneAttempt()
    {
        var run = h.Plant(NewRun("Executing"));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 1, ErrorClass = "client", Error = "endpoint returned 404", Retryable = false, StatusCode = 404 });

        var dead = await h.WaitForStatusAsync(run.CorrelationId, "dead_letter");
        Assert.Equal(1, dead.Attempt);
    }

    [Fact]
    public async Task Executing_OutcomeOfAnOlderAttempt_IsIgnored()
    {
        var run = h.Plant(NewRun("Executing", attempt: 2));

        await h.Publish(new RunDispatchSucceeded { RunId = run.CorrelationId, Attempt = 1, StatusCode = 200, Trace = Trace });
        await h.Harness.InactivityTask;

        await h.WaitForStatusAsync(run.CorrelationId, "executing");
    }

    [Fact]
    public async Task Completed_LateOutcome_IsIgnoredWithoutFault()
    {
        var run = h.Plant(NewRun("Completed"));

        await h.Publish(new RunDispatchFailed { RunId = run.CorrelationId, Attempt = 1, ErrorClass = "server", Error = "late", Retryable = true });
        await h.Harness.InactivityTask;

        var still = await h.WaitForStatusAsync(run.CorrelationId, "completed");
        Assert.Null(still.Error);
        Assert.False(await h.Harness.Published.Any<MassTransit.Fault<RunDispatchFailed>>());
    }

    [Fact]
    public async Task Accepted_ThenSdkComplete_Completes()
    {
        // This harness's heartbeat timeout is a minute: the job code has all the time it needs.
        await using var patient = await StartAsync(heartbeatTimeoutSecs: 60);
        var run = patient.Plant(NewRun("Executing"));
        await patient.Publish(new RunDispatchAccepted { RunId = run.CorrelationId, Attempt = 1, Trace = Trace });
        await patient.Harness.InactivityTask;

        var result = await patient.RequestAsync(new CompleteRun { RunId = run.CorrelationId, Attempt = 1, Result = "42" });

        Assert.Equal(200, result.Status);
        Assert.Equal("completed", result.RunStatus);
        Assert.Equal("42", (await patient.WaitForStatusAsync(run.CorrelationId, "completed")).Result);
        var release = Assert.Single(await patient.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId));
        Assert.False(release.AbortCall);
    }

    [Fact]
    public async Task Accepted_WithoutHeartbeats_RetriesThenCrashes()
    {
        var run = h.Plant(NewRun("Executing", attempt: 1, maxAttempts: 1));

        await h.Publish(new RunDispatchAccepted { RunId = run.CorrelationId, Attempt = 1, Trace = Trace });

        var crashed = await h.WaitForStatusAsync(run.CorrelationId, "crashed", TimeSpan.FromSeconds(8));
        Assert.Equal("heartbeat lost", crashed.Error);
    }

    [Fact]
    public async Task Accepted_HeartbeatsKeepTheRunAlive()
    {
        var run = h.Plant(NewRun("Executing", attempt: 1, maxAttempts: 1));
        await h.Publish(new RunDispatchAccepted { RunId = run.CorrelationId, Attempt = 1, Trace = Trace });

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(500);
            Assert.Equal(200, (await h.RequestAsync(new RecordHeartbeat { RunId = run.CorrelationId, Attempt = 1 })).Status);
        }

        await h.WaitForStatusAsync(run.CorrelationId, "executing");
    }

    [Fact]
    public async Task ExecutionDeadline_OnLastAttempt_TimesOut()
    {
        var run = h.Plant(NewRun("Queued", attempt: 1, maxAttempts: 1, timeoutSecs: 1));

        await h.Publish(new RunDispatchStarted { RunId = run.CorrelationId, Attempt = 1, StartedAt = DateTimeOffset.UtcNow });

        var timedOut = await h.WaitForStatusAsync(run.CorrelationId, "timed_out", TimeSpan.FromSeconds(8));
        Assert.Equal("timeout", timedOut.ErrorClass);
        Assert.Single(await h.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId));
    }

    [Theory]
    [InlineData("Queued", 409)]
    [InlineData("Delayed", 409)]
    [InlineData("Paused", 409)]
    [InlineData("Completed", 410)]
    [InlineData("DeadLetter", 410)]
    public async Task SdkComplete_WhenNotActive_AnswersTheTruth(string state, int status)
    {
        var run = h.Plant(NewRun(state));

        var result = await h.RequestAsync(new CompleteRun { RunId = run.CorrelationId, Attempt = 1 });

        Assert.Equal(status, result.Status);
        await h.WaitForStatusAsync(run.CorrelationId, RunStatuses.FromStateName(state));
    }

    [Fact]
    public async Task SdkCommands_StaleAttempt_Answer401AndChangeNothing()
    {
        var run = h.Plant(NewRun("Executing", attempt: 2));

        var complete = await h.RequestAsync(new CompleteRun { RunId = run.CorrelationId, Attempt = 1 });
        var heartbeat = await h.RequestAsync(new RecordHeartbeat { RunId = run.CorrelationId, Attempt = 1 });

        Assert.Equal(401, complete.Status);
        Assert.Equal(401, heartbeat.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "executing");
    }

    [Fact]
    public async Task SdkCommand_UnknownRun_Answers404()
    {
        var result = await h.RequestAsync(new FailRun { RunId = Guid.CreateVersion7(), Attempt = 1, Error = "x" });

        Assert.Equal(404, result.Status);
    }

    [Fact]
    public async Task SdkFail_WithoutRetry_FailsAtOnce()
    {
        var run = h.Plant(NewRun("Executing"));

        var result = await h.RequestAsync(new FailRun { RunId = run.CorrelationId, Attempt = 1, Error = "bad input" });

        Assert.Equal(200, result.Status);
        Assert.Equal("bad input", (await h.WaitForStatusAsync(run.CorrelationId, "failed")).Error);
    }

    [Fact]
    public async Task SdkFail_WithRetryAndAttemptsLeft_Requeues()
    {
        var run = h.Plant(NewRun("Executing"));

        var result = await h.RequestAsync(new FailRun { RunId = run.CorrelationId, Attempt = 1, Error = "flaky", Retry = true });

        Assert.Equal(200, result.Status);
        Assert.Equal(2, (await h.WaitForStatusAsync(run.CorrelationId, "queued")).Attempt);
    }

    [Fact]
    public async Task Delayed_SupersededTimer_IsIgnored()
    {
        var run = NewRun("Delayed");
        run.ScheduleDueToken = Guid.NewGuid();
        h.Plant(run);

        await h.PublishTimer(new RunScheduleDue { RunId = run.CorrelationId }, Guid.NewGuid());
        await h.Harness.InactivityTask;

        await h.WaitForStatusAsync(run.CorrelationId, "delayed");
    }

    [Fact]
    public async Task Delayed_ScheduleDue_QueuesAndDispatches()
    {
        var run = NewRun("Delayed");
        run.ScheduleDueToken = Guid.NewGuid();
        h.Plant(run);

        await h.PublishTimer(new RunScheduleDue { RunId = run.CorrelationId }, run.ScheduleDueToken.Value);

        await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Single(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId && m.Attempt == 1));
    }

    [Fact]
    public async Task Queued_ExpiryBeforeFirstDispatch_Expires()
    {
        var run = NewRun("Queued");
        run.ExpiryToken = Guid.NewGuid();
        h.Plant(run);

        await h.PublishTimer(new RunExpiryDue { RunId = run.CorrelationId }, run.ExpiryToken.Value);

        await h.WaitForStatusAsync(run.CorrelationId, "expired");
        Assert.Single(await h.PublishedAsync<WithdrawRun>(m => m.RunId == run.CorrelationId));
    }

    [Fact]
    public async Task Queued_ExpiryDuringARetryBackoff_DoesNothing()
    {
        var run = NewRun("Queued", attempt: 2);
        run.FirstDispatchedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        run.ExpiryToken = Guid.NewGuid();
        h.Plant(run);

        await h.PublishTimer(new RunExpiryDue { RunId = run.CorrelationId }, run.ExpiryToken.Value);
        await h.Harness.InactivityTask;

        await h.WaitForStatusAsync(run.CorrelationId, "queued");
    }

    [Theory]
    [InlineData("Delayed")]
    [InlineData("Queued")]
    [InlineData("Executing")]
    [InlineData("Waiting")]
    [InlineData("Paused")]
    public async Task Cancel_FromAnyActiveStatus_Cancels(string state)
    {
        var run = h.Plant(NewRun(state));

        var result = await h.RequestAsync(new CancelRun { RunId = run.CorrelationId, Reason = "canceled by user" });

        Assert.Equal(200, result.Status);
        var canceled = await h.WaitForStatusAsync(run.CorrelationId, "canceled");
        Assert.Equal("canceled by user", canceled.Error);
    }

    [Fact]
    public async Task Cancel_WhenFinished_Answers410()
    {
        var run = h.Plant(NewRun("Failed"));

        Assert.Equal(410, (await h.RequestAsync(new CancelRun { RunId = run.CorrelationId, Reason = "x" })).Status);
    }

    [Fact]
    public async Task PauseResumeRestart_MoveBetweenExecutingPausedAndQueued()
    {
        var run = h.Plant(NewRun("Executing"));

        Assert.Equal(200, (await h.RequestAsync(new PauseRun { RunId = run.CorrelationId })).Status);
        await h.WaitForStatusAsync(run.CorrelationId, "paused");
        Assert.Equal(200, (await h.RequestAsync(new PauseRun { RunId = run.CorrelationId })).Status);
        Assert.Equal(200, (await h.RequestAsync(new ResumeRun { RunId = run.CorrelationId })).Status);
        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Equal(1, queued.Attempt);
        Assert.Equal(409, (await h.RequestAsync(new ResumeRun { RunId = run.CorrelationId })).Status);
    }

    [Fact]
    public async Task Waiting_ResumedByEvent_RequeuesTheSameAttemptWithTheEventKey()
    {
        var run = h.Plant(NewRun("Executing"));
        var wait = await h.RequestAsync(new RequestRunWait { RunId = run.CorrelationId, Attempt = 1, Reason = "event order.paid", TimeoutAt = DateTimeOffset.UtcNow.AddMinutes(5) });
        Assert.Equal(200, wait.Status);
        await h.WaitForStatusAsync(run.CorrelationId, "waiting");

        var resume = await h.RequestAsync(new ResumeWaitingRun { RunId = run.CorrelationId, EventKey = "order.paid" });

        Assert.Equal(200, resume.Status);
        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Equal(1, queued.Attempt);
        var dispatch = Assert.Single(await h.PublishedAsync<DispatchRun>(m => m.RunId == run.CorrelationId));
        Assert.Equal("order.paid", dispatch.Headers!["X-Event-Key"]);
    }

    [Fact]
    public async Task Waiting_Timeout_TimesOut()
    {
        var run = h.Plant(NewRun("Executing"));

        await h.RequestAsync(new RequestRunWait { RunId = run.CorrelationId, Attempt = 1, Reason = "event x", TimeoutAt = DateTimeOffset.UtcNow.AddSeconds(1) });

        await h.WaitForStatusAsync(run.CorrelationId, "timed_out", TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task DeadLetter_Replay_RequeuesAtAttemptOne()
    {
        var run = NewRun("DeadLetter", attempt: 3);
        run.Error = "endpoint returned 500";
        h.Plant(run);

        var result = await h.RequestAsync(new ReplayDeadLetterRun { RunId = run.CorrelationId });

        Assert.Equal(200, result.Status);
        var queued = await h.WaitForStatusAsync(run.CorrelationId, "queued");
        Assert.Equal(1, queued.Attempt);
        Assert.Null(queued.Error);
        Assert.Equal(409, (await h.RequestAsync(new ReplayDeadLetterRun { RunId = run.CorrelationId })).Status);
    }
}
