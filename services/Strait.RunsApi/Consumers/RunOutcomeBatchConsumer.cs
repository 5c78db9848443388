using MassTransit;
using Strait.Contracts.Runs;
using Strait.Messaging;
using Strait.Messaging.Outbox;
using Strait.Messaging.Sagas;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Consumers;

/// <summary>
/// The dispatcher's outcomes (<see cref="RunDispatchSucceeded"/>, the one message of every quick run's
/// queued → executing → completed, and <see cref="RunDispatchAccepted"/> and <see cref="RunDispatchFailed"/>) go through
/// the run saga in batches, one collector per outcome type: what arrives within <see cref="BatchTimeLimit"/>,
/// up to <see cref="BatchMessageLimit"/>, is one transaction — one inbox claim, one row lock statement, one commit —
/// where the saga's endpoint spends a transaction of four statements on each. The transitions are the state machine's
/// own (<see cref="SagaEventBatch{TSaga}"/> runs MassTransit's saga filter per message); the row lock serializes a run's
/// outcome with its other messages, which the saga consumes on its endpoint.
/// </summary>
public sealed class RunOutcomeBatchConsumer(SagaEventBatch<RunState> batch, RunStateMachine machine)
    : IConsumer<Batch<RunDispatchSucceeded>>, IConsumer<Batch<RunDispatchAccepted>>, IConsumer<Batch<RunDispatchFailed>>,
        ISelfDeduplicatingConsumer, IUnpartitionedConsumer
{
    /// <summary>How long the first outcome of a batch waits for others.</summary>
    public static readonly TimeSpan BatchTimeLimit = TimeSpan.FromMilliseconds(5);

    public const int BatchMessageLimit = 64;

    /// <summary>Batches in flight at once, per outcome type: the next fills while one commits.</summary>
    public const int BatchConcurrencyLimit = 2;

    /// <summary>The consumer id of the outcomes' rows in <c>runs.inbox_state</c>.</summary>
    public static readonly Guid InboxConsumerId = new("6f0b8f1e-2d7a-4c39-a8e5-1b9d4c7e3a52");

    public Task Consume(ConsumeContext<Batch<RunDispatchSucceeded>> context) =>
        batch.Consume(context, machine, machine.DispatchSucceeded, InboxConsumerId, m => m.RunId);

    public Task Consume(ConsumeContext<Batch<RunDispatchAccepted>> context) =>
        batch.Consume(context, machine, machine.DispatchAccepted, InboxConsumerId, m => m.RunId);

    public Task Consume(ConsumeContext<Batch<RunDispatchFailed>> context) =>
        batch.Consume(context, machine, machine.DispatchFailed, InboxConsumerId, m => m.RunId);
}
