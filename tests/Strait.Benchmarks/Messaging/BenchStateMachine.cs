using MassTransit;
using Strait.Benchmarks.Messaging.Contracts;

namespace Strait.Benchmarks.Messaging;

/// <summary>Every tick is one transition: the first creates the instance, later ones update it under the row lock.</summary>
public class BenchStateMachine : MassTransitStateMachine<BenchState>
{
    public BenchStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Initially(When(Tick).Then(x => x.Saga.Ticks++).TransitionTo(Running));
        During(Running, When(Tick).Then(x => x.Saga.Ticks++));
    }

    public State Running { get; private set; } = null!;

    public Event<BenchTick> Tick { get; private set; } = null!;
}
