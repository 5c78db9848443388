using MassTransit;
using Strait.Contracts.Runs;

namespace Strait.RunsApi.StateMachines;

/// <summary>
/// A run. The row is the <see cref="RunStateMachine"/> instance: <see cref="CurrentState"/> is the run's status, and
/// the job's delivery settings are copied in at trigger time so later job edits never change a run in flight.
/// </summary>
public sealed class RunState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public Guid JobId { get; set; }
    public string ProjectId { get; set; } = null!;
    public int Attempt { get; set; } = 1;
    public int Priority { get; set; }
    public string Payload { get; set; } = "{}";
    public string PayloadHash { get; set; } = null!;
    public string? Result { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
    public Dictionary<string, string> Tags { get; set; } = [];
    public string? Error { get; set; }
    public string? ErrorClass { get; set; }
    public string? WaitReason { get; set; }
    public string TriggeredBy { get; set; } = "manual";
    public string? IdempotencyKey { get; set; }
    public string? ConcurrencyKey { get; set; }
    public Guid? BatchId { get; set; }
    public Guid? ParentRunId { get; set; }
    public Guid? ContinuationOf { get; set; }
    public int LineageDepth { get; set; }
    public bool DebugMode { get; set; }
    public string? CreatedBy { get; set; }
    public int JobVersion { get; set; }
    public string? JobVersionId { get; set; }
    public ExecutionTrace? ExecutionTrace { get; set; }

    // Delivery settings copied from the job.
    public string EndpointUrl { get; set; } = null!;
    public string? SigningSecret { get; set; }

    /// <summary>The job's fallback endpoint when the run was created: tried when the endpoint is unreachable or busy.</summary>
    public string? FallbackEndpointUrl { get; set; }
    public int MaxAttempts { get; set; }
    public int TimeoutSecs { get; set; }
    public int MaxConcurrency { get; set; }
    public int MaxConcurrencyPerKey { get; set; }
    public int RateLimitMax { get; set; }
    public int RateLimitWindowSecs { get; set; }
    public string? RetryStrategy { get; set; }
    public List<int> RetryDelaysSecs { get; set; } = [];

    public DateTimeOffset? ScheduledAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FirstDispatchedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }
    public DateTimeOffset? NextRetryAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    // Tokens of the pending timers: a timer whose token no longer matches has been superseded and is ignored.
    public Guid? ScheduleDueToken { get; set; }
    public Guid? RetryDueToken { get; set; }
    public Guid? ExpiryToken { get; set; }
    public Guid? ExecutionDeadlineToken { get; set; }
    public Guid? HeartbeatTimeoutToken { get; set; }
    public Guid? WaitTimeoutToken { get; set; }

    /// <summary>
    /// Not stored: the attempt a transition leaves, when the transition itself moves to the next attempt (a retry), so
    /// <see cref="RunStatusChanged.Attempt"/> names the attempt that was executing.
    /// </summary>
    public int? LeavingAttempt { get; set; }

    /// <summary>
    /// The run was created queued and its creation not told on its own (<see cref="Apis.RunScheduler"/>): its first
    /// transition tells it (<see cref="RunStatusChanged.CreatedAt"/>) and clears this.
    /// </summary>
    public bool CreationUntold { get; set; }

    /// <summary>The event key a resumed attempt is re-delivered with.</summary>
    public string? ResumedByEventKey { get; set; }

    /// <summary>The job's chaining targets when the run was made (semantics.md §9.3).</summary>
    public Guid? ChainOnComplete { get; set; }

    public Guid? ChainOnFailure { get; set; }
}
