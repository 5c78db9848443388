using MassTransit;

namespace Strait.Benchmarks.Messaging.Contracts;

public record BenchTick : CorrelatedBy<Guid>
{
    public required Guid CorrelationId { get; init; }
}

public record BenchPing
{
    public required int Sequence { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp taken when the publishing transaction committed.</summary>
    public required long CommittedAt { get; init; }
}
