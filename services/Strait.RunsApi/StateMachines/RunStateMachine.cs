using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.RunsApi.Apis;

namespace Strait.RunsApi.StateMachines;

/// <summary>
/// The run lifecycle (semantics.md §1 with ARCHITECTURE §3's decisions). The constructor is the transition table; every
/// side effect is a named method below it. Instances are created by the trigger handler (in delayed, queued or
/// waiting), never by an event, and terminal rows stay as the run's history.
/// </summary>
public sealed class RunStateMachine : MassTransitStateMachine<RunState>
{
    private readonly TimeProvider time;
    private readonly RunLifecycleOptions options;

    public RunStateMachine(TimeProvider time, IOptions<RunLifecycleOptions> options, ILogger<RunStateMachine> logger,
        RunOutcomeBatching? batching = null)
    {
        this.time = time;
        this.options = options.Value;

        InstanceState(x => x.CurrentState);

        // Outcomes and timers for a run that does not exist (deleted project, foreign message) are dropped (an outcome with
        // a warning: the call it reports did happen, so a run that should exist has lost it); commands
        // are answered, so the HTTP caller gets a real 404 instead of waiting for a timeout.
        Event(() => DispatchStarted, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.Discard()));
        // Where RunOutcomeBatchConsumer is registered it consumes the outcomes (in batches, through this machine), so the
        // saga's own queue is not bound to them.
        Event(() => DispatchSucceeded, e => Outcome(e, logger, batching, m => m.RunId, m => m.Attempt));
        Event(() => DispatchAccepted, e => Outcome(e, logger, batching, m => m.RunId, m => m.Attempt));
        Event(() => DispatchFailed, e => Outcome(e, logger, batching, m => m.RunId, m => m.Attempt));
        Event(() => WaitReasonChanged, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.Discard()));
        Event(() => ChildFinished, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.Discard()));
        Event(() => DependenciesMet, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.Discard()));
        Event(() => Complete, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Fail, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Heartbeat, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Cancel, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Pause, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Resume, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Restart, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => WaitRequested, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => WaitResumed, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => DeadLetterReplay, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));
        Event(() => Reschedule, e => e.CorrelateById(m => m.Message.RunId).OnMissingInstance(m => m.ExecuteAsync(c => NotFound(c, c.Message.RunId))));

        Schedule(() => ScheduleDue, x => x.ScheduleDueToken, s => Timer(s, (RunScheduleDue m) => m.RunId));
        Schedule(() => RetryDue, x => x.RetryDueToken, s => Timer(s, (RunRetryDue m) => m.RunId));
        Schedule(() => Expiry, x => x.ExpiryToken, s => Timer(s, (RunExpiryDue m) => m.RunId));
        Schedule(() => ExecutionDeadline, x => x.ExecutionDeadlineToken, s => Timer(s, (RunExecutionDeadline m) => m.RunId));
        Schedule(() => HeartbeatTimeout, x => x.HeartbeatTimeoutToken, s => Timer(s, (RunHeartbeatTimeout m) => m.RunId));
        Schedule(() => WaitTimeout, x => x.WaitTimeoutToken, s => Timer(s, (RunWaitTimeout m) => m.RunId));

        // Every transition is on the run's timeline, committed with the transition itself (outbox).
        BeforeEnterAny(x => x.ThenAsync(RecordTransition));
        // A timer or outcome that slipped past its cancellation must not fault the endpoint; it is logged and dropped.
        OnUnhandledEvent(context =>
        {
            logger.LogWarning("Run {RunId}: {Event} not expected in status {Status}; ignored",
                context.Saga.CorrelationId, context.Event.Name, Status(context.Saga));
            return Task.CompletedTask;
        });
        WhenEnterAny(x => x.If(c => RunStatuses.Terminal.Contains(Status(c.Saga)), terminal => terminal
            .Unschedule(ScheduleDue).Unschedule(RetryDue).Unschedule(Expiry)
            .Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout).Unschedule(WaitTimeout)));
        // A chained job's run asks for its downstream run (created by RunChainConsumer, once).
        WhenEnterAny(x => x.If(c => RunStatuses.Terminal.Contains(Status(c.Saga)) && JobChaining.TargetFor(c.Saga) is not null, chained => chained
            .Publish(c => new RunChainRequested { SourceRunId = c.Saga.CorrelationId, TargetJobId = JobChaining.TargetFor(c.Saga)!.Value })));
        // A spawned run tells its parent it is over; a parent parked on it resumes (SDK spawn with await_completion).
        WhenEnterAny(x => x.If(c => c.Saga.ParentRunId is not null && RunStatuses.Terminal.Contains(Status(c.Saga)), child => child
            .Publish(c => new ChildRunFinished { RunId = c.Saga.ParentRunId!.Value, ChildRunId = c.Saga.CorrelationId, ChildStatus = Status(c.Saga) })));

        During(Delayed,
            When(ScheduleDue.Received).TransitionTo(Queued).ThenAsync(SendDispatch),
            When(Expiry.Received).Then(c => c.Saga.Error = "expired before it was dispatched").TransitionTo(Expired),
            When(Cancel).Then(c => MarkCanceled(c.Saga, c.Message.Reason)).TransitionTo(Canceled).ThenAsync(Ok),
            When(Reschedule).Then(ApplyReschedule).IfElse(IsInFuture,
                later => later.Schedule(ScheduleDue, ScheduleDueFor, c => c.Message.ScheduledAt.UtcDateTime).ThenAsync(Ok),
                now => now.Unschedule(ScheduleDue).TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok)),
            Ignore(DispatchStarted), Ignore(DispatchSucceeded), Ignore(DispatchAccepted), Ignore(DispatchFailed),
            Ignore(WaitReasonChanged));

        During(Queued,
            When(DispatchStarted, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => StartAttempt(c.Saga, c.Message.StartedAt)).Unschedule(Expiry)
                .Schedule(ExecutionDeadline, DeadlineFor, c => AttemptDeadline(c.Saga)).TransitionTo(Executing),
            When(WaitReasonChanged, c => IsCurrent(c.Saga, c.Message.Attempt)).Then(c => c.Saga.WaitReason = c.Message.WaitReason),
            When(RetryDue.Received).ThenAsync(SendDispatch),
            // Expiry only ever stops a run that has not been dispatched yet; it never kills a retry.
            When(Expiry.Received, c => c.Saga.FirstDispatchedAt is null)
                .Then(c => c.Saga.Error = "expired before it was dispatched").ThenAsync(Withdraw).TransitionTo(Expired),
            When(Cancel).Then(c => MarkCanceled(c.Saga, c.Message.Reason)).ThenAsync(Withdraw).TransitionTo(Canceled).ThenAsync(Ok),
            // Only before its first dispatch started: a run waiting out a retry back-off has started. A later time takes it
            // out of the dispatcher's queue; a time now sends a dispatch that replaces the queued one (and its payload).
            When(Reschedule).IfElse(c => c.Saga.FirstDispatchedAt is null,
                ok => ok.Then(ApplyReschedule).IfElse(IsInFuture,
                    later => later.ThenAsync(Withdraw).Schedule(ScheduleDue, ScheduleDueFor, c => c.Message.ScheduledAt.UtcDateTime)
                        .TransitionTo(Delayed).ThenAsync(Ok),
                    now => now.ThenAsync(SendDispatch).ThenAsync(Ok)),
                started => started.ThenAsync(NotActive)),
            // An outcome without a start notice before it: a quick call on the dispatcher's direct path (which announces
            // only calls that outlive a short delay), or a lost notice. The attempt started when the outcome says, and the
            // timeline still shows it executing before its outcome: one message tells both (RunStatusChanged.Via).
            When(DispatchSucceeded, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => StartAttempt(c.Saga, c.Message.StartedAt ?? time.GetUtcNow()))
                .Then(CompleteFromDispatch).TransitionTo(Completed),
            When(DispatchAccepted, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => StartAttempt(c.Saga, c.Message.StartedAt ?? time.GetUtcNow()))
                .Then(c => { c.Saga.ExecutionTrace = c.Message.Trace; c.Saga.HeartbeatAt = time.GetUtcNow(); })
                .Unschedule(Expiry)
                .Schedule(ExecutionDeadline, DeadlineFor, c => AttemptDeadline(c.Saga))
                .Schedule(HeartbeatTimeout, HeartbeatFor, c => TimeSpan.FromSeconds(this.options.HeartbeatTimeoutSecs))
                .TransitionTo(Executing),
            When(DispatchFailed, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => StartAttempt(c.Saga, c.Message.StartedAt ?? time.GetUtcNow())).Unschedule(Expiry).TransitionTo(Executing)
                .Then(RecordFailure)
                .IfElse(c => c.Message.Retryable && HasAttemptsLeft(c.Saga),
                    retry => retry.Then(ScheduleNextAttempt).Schedule(RetryDue, RetryDueFor, c => c.Saga.NextRetryAt!.Value.UtcDateTime)
                        .TransitionTo(Queued),
                    final => final.If(c => c.Message.ErrorClass == "timeout", t => t.TransitionTo(TimedOut))
                        .If(c => c.Message.ErrorClass != "timeout", d => d.TransitionTo(DeadLetter))),
            // The job code parks the run from inside a call whose start notice has not come (the direct path announces only
            // calls that outlive a short delay): a token of the current attempt means the call is running.
            When(WaitRequested).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => Park(ok.Then(c => StartAttempt(c.Saga, time.GetUtcNow())).Unschedule(Expiry).TransitionTo(Executing)),
                stale => stale.ThenAsync(NotActive)));

        During(Executing,
            When(DispatchSucceeded, c => IsCurrent(c.Saga, c.Message.Attempt)).Then(CompleteFromDispatch).TransitionTo(Completed),
            When(DispatchAccepted, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => { c.Saga.ExecutionTrace = c.Message.Trace; c.Saga.HeartbeatAt = time.GetUtcNow(); })
                .Schedule(HeartbeatTimeout, HeartbeatFor, c => TimeSpan.FromSeconds(this.options.HeartbeatTimeoutSecs)),
            When(DispatchFailed, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(RecordFailure)
                .IfElse(c => c.Message.Retryable && HasAttemptsLeft(c.Saga),
                    retry => retry.Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout).Then(ScheduleNextAttempt)
                        .Schedule(RetryDue, RetryDueFor, c => c.Saga.NextRetryAt!.Value.UtcDateTime).TransitionTo(Queued),
                    final => final.If(c => c.Message.ErrorClass == "timeout", t => t.TransitionTo(TimedOut))
                        .If(c => c.Message.ErrorClass != "timeout", d => d.TransitionTo(DeadLetter))),
            When(ExecutionDeadline.Received, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => SetError(c.Saga, $"attempt exceeded its timeout of {c.Saga.TimeoutSecs}s", "timeout")).ThenAsync(Withdraw)
                .IfElse(c => HasAttemptsLeft(c.Saga),
                    retry => retry.Unschedule(HeartbeatTimeout).Then(ScheduleNextAttempt)
                        .Schedule(RetryDue, RetryDueFor, c => c.Saga.NextRetryAt!.Value.UtcDateTime).TransitionTo(Queued),
                    final => final.TransitionTo(TimedOut)),
            When(HeartbeatTimeout.Received, c => IsCurrent(c.Saga, c.Message.Attempt))
                .Then(c => SetError(c.Saga, "heartbeat lost", "transient")).ThenAsync(Withdraw)
                .IfElse(c => HasAttemptsLeft(c.Saga),
                    retry => retry.Unschedule(ExecutionDeadline).Then(ScheduleNextAttempt)
                        .Schedule(RetryDue, RetryDueFor, c => c.Saga.NextRetryAt!.Value.UtcDateTime).TransitionTo(Queued),
                    final => final.TransitionTo(Crashed)),
            When(Complete).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => CompleteWith(c.Saga, c.Message.Result)).ThenAsync(Release).TransitionTo(Completed).ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(Fail).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => SetError(c.Saga, c.Message.Error, "sdk")).ThenAsync(Release)
                    .IfElse(c => c.Message.Retry && HasAttemptsLeft(c.Saga),
                        retry => retry.Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout).Then(ScheduleNextAttempt)
                            .Schedule(RetryDue, RetryDueFor, c => c.Saga.NextRetryAt!.Value.UtcDateTime).TransitionTo(Queued),
                        final => final.TransitionTo(Failed))
                    .ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(Heartbeat).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => c.Saga.HeartbeatAt = time.GetUtcNow())
                    .If(c => c.Saga.HeartbeatTimeoutToken is not null, armed => armed
                        .Schedule(HeartbeatTimeout, HeartbeatFor, c => TimeSpan.FromSeconds(this.options.HeartbeatTimeoutSecs)))
                    .ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(WaitRequested).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => Park(ok.Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout)),
                stale => stale.ThenAsync(Stale)),
            When(Pause).ThenAsync(Withdraw).Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout).TransitionTo(Paused).ThenAsync(Ok),
            When(Restart).ThenAsync(Withdraw).Unschedule(ExecutionDeadline).Unschedule(HeartbeatTimeout)
                .Then(c => c.Saga.StartedAt = null).TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok),
            When(Cancel).Then(c => MarkCanceled(c.Saga, c.Message.Reason)).ThenAsync(Withdraw).TransitionTo(Canceled).ThenAsync(Ok),
            Ignore(DispatchStarted),
            Ignore(WaitReasonChanged));

        During(Waiting,
            // The explicit resume edge the original lacked (semantics.md §13.1): same attempt, delivered again.
            When(WaitResumed, c => c.Saga.WaitReason != DependencyWaitReason).Unschedule(WaitTimeout)
                .Then(c => { c.Saga.WaitReason = null; c.Saga.ResumedByEventKey = c.Message.EventKey; c.Saga.StartedAt = null; })
                .TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok),
            When(WaitTimeout.Received).Then(c => SetError(c.Saga, $"wait timed out: {c.Saga.WaitReason}", "timeout")).TransitionTo(TimedOut),
            When(ChildFinished, c => c.Saga.WaitReason == SpawnAwaitKey(c.Message.ChildRunId)).Unschedule(WaitTimeout)
                .Then(c => { c.Saga.WaitReason = null; c.Saga.ResumedByEventKey = SpawnAwaitKey(c.Message.ChildRunId); c.Saga.StartedAt = null; })
                .Publish(c => new SpawnAwaitResolved
                {
                    RunId = c.Saga.CorrelationId, ChildRunId = c.Message.ChildRunId, ChildStatus = c.Message.ChildStatus, At = time.GetUtcNow(),
                })
                .TransitionTo(Queued).ThenAsync(SendChildResumeDispatch),
            Ignore(ChildFinished, c => c.Saga.WaitReason != SpawnAwaitKey(c.Message.ChildRunId)),
            // Held back at trigger by job dependencies (semantics.md §9.4, the release the original's FSM blocked): the
            // run has never been dispatched, so its first attempt goes out now. Only this event releases it.
            When(DependenciesMet, c => c.Saga.WaitReason == DependencyWaitReason)
                .Then(c => { c.Saga.WaitReason = null; c.Saga.StartedAt = null; })
                .TransitionTo(Queued).ThenAsync(SendDispatch),
            Ignore(DependenciesMet, c => c.Saga.WaitReason != DependencyWaitReason),
            When(WaitResumed, c => c.Saga.WaitReason == DependencyWaitReason).ThenAsync(NotActive),
            When(Complete).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => CompleteWith(c.Saga, c.Message.Result)).TransitionTo(Completed).ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(Fail).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => SetError(c.Saga, c.Message.Error, "sdk")).TransitionTo(Failed).ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(Heartbeat).IfElse(c => IsCurrent(c.Saga, c.Message.Attempt),
                ok => ok.Then(c => c.Saga.HeartbeatAt = time.GetUtcNow()).ThenAsync(Ok),
                stale => stale.ThenAsync(Stale)),
            When(Cancel).Then(c => MarkCanceled(c.Saga, c.Message.Reason)).TransitionTo(Canceled).ThenAsync(Ok),
            Ignore(DispatchStarted), Ignore(DispatchSucceeded), Ignore(DispatchAccepted), Ignore(DispatchFailed), Ignore(WaitReasonChanged));

        During(Paused,
            When(Resume).Then(c => c.Saga.StartedAt = null).TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok),
            When(Restart).Then(c => c.Saga.StartedAt = null).TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok),
            When(Pause).ThenAsync(Ok),
            When(Cancel).Then(c => MarkCanceled(c.Saga, c.Message.Reason)).TransitionTo(Canceled).ThenAsync(Ok),
            Ignore(DispatchStarted), Ignore(DispatchSucceeded), Ignore(DispatchAccepted), Ignore(DispatchFailed), Ignore(WaitReasonChanged));

        During(DeadLetter,
            When(DeadLetterReplay).Then(ResetForReplay).TransitionTo(Queued).ThenAsync(SendDispatch).ThenAsync(Ok));

        // Commands a state does not accept get a truthful answer: 409 while the run is not in a state that allows
        // it, 410 once it is over. Late outcomes and timers of finished attempts are ignored explicitly.
        During(Delayed, Queued, Paused,
            When(Complete).ThenAsync(NotActive), When(Fail).ThenAsync(NotActive), When(Heartbeat).ThenAsync(NotActive));
        During(Delayed, Paused, When(WaitRequested).ThenAsync(NotActive));
        During(Delayed, Queued, Waiting,
            When(Pause).ThenAsync(NotActive), When(Resume).ThenAsync(NotActive), When(Restart).ThenAsync(NotActive));
        During(Executing, When(Resume).ThenAsync(NotActive));
        During(Waiting, When(WaitRequested).ThenAsync(NotActive));
        During(new[] { Delayed, Queued, Executing, Paused }, When(WaitResumed).ThenAsync(NotActive));
        During(new[] { Delayed, Queued, Executing, Paused, Completed, Failed, TimedOut, Crashed, SystemFailed, Canceled, Expired, DeadLetter },
            Ignore(ChildFinished), Ignore(DependenciesMet));
        During(new[] { Delayed, Queued, Executing, Waiting, Paused }, When(DeadLetterReplay).ThenAsync(NotDeadLetter));
        During(Executing, Waiting, Paused, When(Reschedule).ThenAsync(NotActive));
        During(new[] { Completed, Failed, TimedOut, Crashed, SystemFailed, Canceled, Expired, DeadLetter },
            When(Complete).ThenAsync(Gone), When(Fail).ThenAsync(Gone), When(Heartbeat).ThenAsync(Gone),
            When(Cancel).ThenAsync(Gone), When(Pause).ThenAsync(Gone), When(Resume).ThenAsync(Gone),
            When(Restart).ThenAsync(Gone), When(WaitRequested).ThenAsync(Gone), When(WaitResumed).ThenAsync(Gone),
            When(Reschedule).ThenAsync(Gone),
            Ignore(DispatchStarted), Ignore(DispatchSucceeded), Ignore(DispatchAccepted), Ignore(DispatchFailed),
            Ignore(WaitReasonChanged));
        During(new[] { Completed, Failed, TimedOut, Crashed, SystemFailed, Canceled, Expired },
            When(DeadLetterReplay).ThenAsync(NotDeadLetter));
    }

    public State Delayed { get; private set; } = null!;
    public State Queued { get; private set; } = null!;
    public State Dequeued { get; private set; } = null!;
    public State Executing { get; private set; } = null!;
    public State Waiting { get; private set; } = null!;
    public State Paused { get; private set; } = null!;
    public State ReplayStaged { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State TimedOut { get; private set; } = null!;
    public State Crashed { get; private set; } = null!;
    public State SystemFailed { get; private set; } = null!;
    public State Canceled { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State DeadLetter { get; private set; } = null!;

    public Event<RunDispatchStarted> DispatchStarted { get; private set; } = null!;
    public Event<RunDispatchSucceeded> DispatchSucceeded { get; private set; } = null!;
    public Event<RunDispatchAccepted> DispatchAccepted { get; private set; } = null!;
    public Event<RunDispatchFailed> DispatchFailed { get; private set; } = null!;
    public Event<RunWaitReasonChanged> WaitReasonChanged { get; private set; } = null!;
    public Event<ChildRunFinished> ChildFinished { get; private set; } = null!;
    public Event<RunDependenciesMet> DependenciesMet { get; private set; } = null!;
    public Event<CompleteRun> Complete { get; private set; } = null!;
    public Event<FailRun> Fail { get; private set; } = null!;
    public Event<RecordHeartbeat> Heartbeat { get; private set; } = null!;
    public Event<CancelRun> Cancel { get; private set; } = null!;
    public Event<PauseRun> Pause { get; private set; } = null!;
    public Event<ResumeRun> Resume { get; private set; } = null!;
    public Event<RestartRun> Restart { get; private set; } = null!;
    public Event<RequestRunWait> WaitRequested { get; private set; } = null!;
    public Event<ResumeWaitingRun> WaitResumed { get; private set; } = null!;
    public Event<ReplayDeadLetterRun> DeadLetterReplay { get; private set; } = null!;
    public Event<RescheduleRun> Reschedule { get; private set; } = null!;

    public Schedule<RunState, RunScheduleDue> ScheduleDue { get; private set; } = null!;
    public Schedule<RunState, RunRetryDue> RetryDue { get; private set; } = null!;
    public Schedule<RunState, RunExpiryDue> Expiry { get; private set; } = null!;
    public Schedule<RunState, RunExecutionDeadline> ExecutionDeadline { get; private set; } = null!;
    public Schedule<RunState, RunHeartbeatTimeout> HeartbeatTimeout { get; private set; } = null!;
    public Schedule<RunState, RunWaitTimeout> WaitTimeout { get; private set; } = null!;

    public static string Status(RunState run) => RunStatuses.FromStateName(run.CurrentState);

    /// <summary>The wait reason of a run held back at trigger until its job's dependencies are satisfied.</summary>
    public const string DependencyWaitReason = "dependencies";

    /// <summary>The wait reason (and resume event key) of a parent parked until a spawned child ends.</summary>
    public static string SpawnAwaitKey(Guid childRunId) => "spawn-await:" + childRunId.ToString("D");

    public static DispatchRun ToDispatch(RunState run, DateTimeOffset issuedAt)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.Attempt > 1 && run.Error is not null)
        {
            headers["X-Previous-Error"] = run.Error.Length > 1024 ? run.Error[..1024] : run.Error;
        }

        if (run.ResumedByEventKey is not null)
        {
            headers["X-Event-Key"] = run.ResumedByEventKey;
        }

        return new DispatchRun
        {
            RunId = run.CorrelationId,
            Attempt = run.Attempt,
            JobId = run.JobId,
            ProjectId = run.ProjectId,
            Priority = run.Priority,
            ConcurrencyKey = run.ConcurrencyKey,
            EndpointUrl = run.EndpointUrl,
            SigningSecret = run.SigningSecret,
            FallbackEndpointUrl = run.FallbackEndpointUrl,
            TimeoutSecs = run.TimeoutSecs,
            MaxConcurrency = run.MaxConcurrency,
            MaxConcurrencyPerKey = run.MaxConcurrencyPerKey,
            RateLimitMax = run.RateLimitMax,
            RateLimitWindowSecs = run.RateLimitWindowSecs,
            Payload = run.Payload,
            RunCreatedAt = run.CreatedAt,
            IssuedAt = issuedAt,
            Headers = headers.Count == 0 ? null : headers,
        };
    }

    private static void Timer<TMessage>(IScheduleConfigurator<RunState, TMessage> schedule, Func<TMessage, Guid> runId)
        where TMessage : class =>
        schedule.Received = received =>
        {
            received.CorrelateById(m => runId(m.Message));
            received.OnMissingInstance(m => m.Discard());
        };

    private static bool IsCurrent(RunState run, int attempt) => run.Attempt == attempt;

    private static bool HasAttemptsLeft(RunState run) => run.Attempt < Math.Max(1, run.MaxAttempts);

    private static void SetError(RunState run, string error, string errorClass)
    {
        run.Error = error;
        run.ErrorClass = errorClass;
    }

    private static void MarkCanceled(RunState run, string reason) => SetError(run, reason, "canceled");

    private static void CompleteWith(RunState run, string? result)
    {
        run.Result = result;
        run.Error = null;
        run.ErrorClass = null;
    }

    private static void CompleteFromDispatch(BehaviorContext<RunState, RunDispatchSucceeded> context)
    {
        CompleteWith(context.Saga, context.Message.Result);
        context.Saga.ExecutionTrace = context.Message.Trace;
    }

    private static void RecordFailure(BehaviorContext<RunState, RunDispatchFailed> context)
    {
        SetError(context.Saga, context.Message.Error, context.Message.ErrorClass);
        context.Saga.ExecutionTrace = context.Message.Trace ?? context.Saga.ExecutionTrace;
        if (context.Message.RetryAfterSecs is { } retryAfter)
        {
            context.Saga.Metadata["retry_after_secs"] = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static void ResetForReplay(BehaviorContext<RunState, ReplayDeadLetterRun> context)
    {
        var run = context.Saga;
        run.Attempt = 1;
        run.Error = null;
        run.ErrorClass = null;
        run.Result = null;
        run.StartedAt = null;
        run.FinishedAt = null;
        run.HeartbeatAt = null;
        run.NextRetryAt = null;
        run.ExecutionTrace = null;
    }

    private void ApplyReschedule(BehaviorContext<RunState, RescheduleRun> context)
    {
        context.Saga.ScheduledAt = IsInFuture(context) ? context.Message.ScheduledAt : null;
        if (context.Message.Payload is { } payload)
        {
            context.Saga.Payload = payload;
            context.Saga.PayloadHash = context.Message.PayloadHash ?? context.Saga.PayloadHash;
        }
    }

    private bool IsInFuture(BehaviorContext<RunState, RescheduleRun> context) => context.Message.ScheduledAt > time.GetUtcNow();

    private static RunScheduleDue ScheduleDueFor(BehaviorContext<RunState> context) => new() { RunId = context.Saga.CorrelationId };

    private static RunExecutionDeadline DeadlineFor(BehaviorContext<RunState> context) =>
        new() { RunId = context.Saga.CorrelationId, Attempt = context.Saga.Attempt };

    private static RunHeartbeatTimeout HeartbeatFor(BehaviorContext<RunState> context) =>
        new() { RunId = context.Saga.CorrelationId, Attempt = context.Saga.Attempt };

    private static RunRetryDue RetryDueFor(BehaviorContext<RunState> context) =>
        new() { RunId = context.Saga.CorrelationId, Attempt = context.Saga.Attempt };

    private static Task Reply(ConsumeContext context, RunState? run, Guid runId, int status, string? error) =>
        context.RespondAsync(new RunCommandResult
        {
            RunId = runId,
            Status = status,
            Error = error,
            RunStatus = run is null ? "" : Status(run),
        });

    private static void Outcome<TMessage>(IEventCorrelationConfigurator<RunState, TMessage> e, ILogger logger,
        RunOutcomeBatching? batching, Func<TMessage, Guid> runId, Func<TMessage, int> attempt)
        where TMessage : class
    {
        e.CorrelateById(m => runId(m.Message))
            .OnMissingInstance(m => m.ExecuteAsync(c => DroppedOutcome(logger, typeof(TMessage).Name, runId(c.Message), attempt(c.Message))));
        e.ConfigureConsumeTopology = batching is null;
    }

    private static Task DroppedOutcome(ILogger logger, string outcome, Guid runId, int attempt)
    {
        logger.LogWarning("Run {RunId} attempt {Attempt}: {Outcome} for a run that does not exist; dropped", runId, attempt, outcome);
        return Task.CompletedTask;
    }

    private static Task NotFound(ConsumeContext context, Guid runId) => Reply(context, null, runId, 404, "run not found");

    private static Task Ok<TMessage>(BehaviorContext<RunState, TMessage> context) where TMessage : class =>
        Reply(context, context.Saga, context.Saga.CorrelationId, 200, null);

    private static Task Stale<TMessage>(BehaviorContext<RunState, TMessage> context) where TMessage : class =>
        Reply(context, context.Saga, context.Saga.CorrelationId, 401, "stale run token: the run has moved to another attempt");

    private static Task NotActive<TMessage>(BehaviorContext<RunState, TMessage> context) where TMessage : class =>
        Reply(context, context.Saga, context.Saga.CorrelationId, 409, $"run is not active (status {Status(context.Saga)})");

    private static Task NotDeadLetter<TMessage>(BehaviorContext<RunState, TMessage> context) where TMessage : class =>
        Reply(context, context.Saga, context.Saga.CorrelationId, 409, "run is not in dead_letter status");

    private static Task Gone<TMessage>(BehaviorContext<RunState, TMessage> context) where TMessage : class =>
        Reply(context, context.Saga, context.Saga.CorrelationId, 410, $"run already finished (status {Status(context.Saga)})");

    private DateTime AttemptDeadline(RunState run) =>
        (run.StartedAt ?? time.GetUtcNow()).UtcDateTime.AddSeconds(run.TimeoutSecs + options.DeadlineGraceSecs);

    private static void StartAttempt(RunState run, DateTimeOffset startedAt)
    {
        run.StartedAt = startedAt;
        run.FirstDispatchedAt ??= startedAt;
        run.NextRetryAt = null;
        run.WaitReason = null;
        run.ResumedByEventKey = null;
    }

    private void ScheduleNextAttempt(BehaviorContext<RunState> context)
    {
        var run = context.Saga;
        var delay = RetryBackoff.NextDelay(run.RetryStrategy, run.RetryDelaysSecs, run.Attempt, options.MaxRetryDelaySecs, Random.Shared);
        if (run.Metadata.Remove("retry_after_secs", out var retryAfter)
            && int.TryParse(retryAfter, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && TimeSpan.FromSeconds(seconds) > delay)
        {
            delay = TimeSpan.FromSeconds(seconds);
        }

        run.LeavingAttempt = run.Attempt;
        run.Attempt++;
        run.StartedAt = null;
        run.HeartbeatAt = null;
        run.NextRetryAt = time.GetUtcNow() + delay;
    }

    // executing → waiting: the slot is freed without aborting the call (it answers once the job code is done), and the
    // wait has its own timer.
    private EventActivityBinder<RunState, RequestRunWait> Park(EventActivityBinder<RunState, RequestRunWait> binder) =>
        binder.Then(c => c.Saga.WaitReason = c.Message.Reason).ThenAsync(Release)
            .Schedule(WaitTimeout, c => new RunWaitTimeout { RunId = c.Saga.CorrelationId }, c => c.Message.TimeoutAt.UtcDateTime)
            .TransitionTo(Waiting).ThenAsync(Ok);

    private async Task SendDispatch(BehaviorContext<RunState> context) => await context.Publish(ToDispatch(context.Saga, time.GetUtcNow()));

    // The resumed attempt learns which child it waited for and how that child ended, without another call.
    private async Task SendChildResumeDispatch(BehaviorContext<RunState, ChildRunFinished> context)
    {
        var dispatch = ToDispatch(context.Saga, time.GetUtcNow());
        var headers = new Dictionary<string, string>(dispatch.Headers ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["X-Child-Run-Id"] = context.Message.ChildRunId.ToString("D"),
            ["X-Child-Status"] = context.Message.ChildStatus,
        };
        await context.Publish(dispatch with { Headers = headers });
    }

    private async Task Withdraw(BehaviorContext<RunState> context) =>
        await context.Publish(new WithdrawRun { RunId = context.Saga.CorrelationId, Attempt = context.Saga.Attempt, IssuedAt = time.GetUtcNow() });

    // The job code moved the run from inside its own call: free the slot, let the call answer.
    private async Task Release(BehaviorContext<RunState> context) =>
        await context.Publish(new WithdrawRun
        {
            RunId = context.Saga.CorrelationId, Attempt = context.Saga.Attempt, AbortCall = false, IssuedAt = time.GetUtcNow(),
        });

    private async Task RecordTransition(BehaviorContext<RunState, State> context)
    {
        var run = context.Saga;
        var now = time.GetUtcNow();
        var to = RunStatuses.FromStateName(context.Message.Name);
        run.UpdatedAt = now;
        if (RunStatuses.Terminal.Contains(to))
        {
            run.FinishedAt ??= now;
            run.WaitReason = null;
        }

        var from = Status(run);
        // Completed straight from queued: the call ran (from StartedAt) without a start notice.
        var passedExecuting = from == RunStatuses.Queued && to == RunStatuses.Completed && run.StartedAt is not null;
        await context.Publish(new RunStatusChanged
        {
            RunId = run.CorrelationId,
            ProjectId = run.ProjectId,
            JobId = run.JobId,
            From = from,
            To = to,
            Via = passedExecuting ? RunStatuses.Executing : null,
            ViaAt = passedExecuting ? run.StartedAt : null,
            CreatedAt = run.CreationUntold ? run.CreatedAt : null,
            // The attempt that was running when the run left it: the dispatcher frees that attempt's slot only.
            Attempt = run.LeavingAttempt ?? run.Attempt,
            Error = RunStatuses.Terminal.Contains(to) || to == RunStatuses.Queued ? run.Error : null,
            At = now,
        });
        run.LeavingAttempt = null;
        run.CreationUntold = false;
        if (from == RunStatuses.Waiting && to != RunStatuses.Queued)
        {
            // The events service closes the run's waiting triggers (an event resumes the run through the queue itself).
            await context.Publish(new RunLeftWait { RunId = run.CorrelationId, ProjectId = run.ProjectId, To = to, At = now });
        }
    }
}
