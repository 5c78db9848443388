using MassTransit;

namespace Strait.IntegrationTests.Messaging;

public class CounterState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = null!;

    public int Count { get; set; }

    public int FiredCount { get; set; }

    public Guid? TimerTokenId { get; set; }
}
