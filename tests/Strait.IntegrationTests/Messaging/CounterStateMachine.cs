using MassTransit;
using Strait.IntegrationTests.Messaging.Contracts;

namespace Strait.IntegrationTests.Messaging;

public class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Started, e => e.InsertOnInitial = true);
        Schedule(() => Timer, x => x.TimerTokenId, s => s.Received = r => r.CorrelateById(m => m.Message.CorrelationId));

        Initially(
            When(Started).TransitionTo(Counting),
            When(Incremented).Then(x => x.Saga.Count++).TransitionTo(Counting));

        During(Counting,
            Ignore(Started),
            When(Incremented).Then(x => x.Saga.Count++),
            When(TimerRequested).Schedule(Timer, x => new CounterTimerElapsed { CorrelationId = x.Saga.CorrelationId },
                x => TimeSpan.FromMilliseconds(x.Message.DelayMilliseconds)),
            When(TimerCancelled).Unschedule(Timer),
            When(Timer.Received)
                .Then(x => x.Saga.FiredCount++)
                .PublishAsync(x => x.Init<CounterTimerFired>(new { x.Saga.CorrelationId, x.Saga.FiredCount })));
    }

    public State Counting { get; private set; } = null!;

    public Event<CounterStarted> Started { get; private set; } = null!;

    public Event<CounterIncremented> Incremented { get; private set; } = null!;

    public Event<CounterTimerRequested> TimerRequested { get; private set; } = null!;

    public Event<CounterTimerCancelled> TimerCancelled { get; private set; } = null!;

    public Schedule<CounterState, CounterTimerElapsed> Timer { get; private set; } = null!;
}
