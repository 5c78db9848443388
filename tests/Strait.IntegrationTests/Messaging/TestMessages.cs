using MassTransit;

namespace Strait.IntegrationTests.Messaging.Contracts;

// Test-only contracts. CorrelatedBy<Guid> puts the instance id in the message's CorrelationId header,
// which the state machine correlates on and the endpoint partitioner keys on (so one instance's
// messages are consumed in order, one at a time, per process).

public record CounterStarted : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}

public record CounterIncremented : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}

public record CounterTimerRequested : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }

    public required int DelayMilliseconds { get; init; }
}

public record CounterTimerCancelled : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}

public record CounterTimerElapsed : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}

public record CounterTimerFired
{
    public required Guid CorrelationId { get; init; }

    public required int FiredCount { get; init; }
}

public record RecordEntry
{
    public required Guid EntryId { get; init; }

    /// <summary>How many of the first attempts fail after writing their ledger row (so their transaction rolls back).</summary>
    public int FailFirstAttempts { get; init; }
}

public record EntryRecorded
{
    public required Guid EntryId { get; init; }
}

public record PoisonCommand
{
    public required Guid Id { get; init; }
}

public record TimerPing
{
    public required Guid Id { get; init; }

    public required DateTime DueTime { get; init; }
}

public record OrderedPing
{
    public required int Sequence { get; init; }
}

public record BatchPing : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}
