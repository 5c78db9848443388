using MassTransit;

namespace Strait.Benchmarks.Messaging;

public class BenchState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = null!;

    public int Ticks { get; set; }
}
