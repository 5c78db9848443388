using MassTransit;
using Strait.IntegrationTests.Messaging.Contracts;

namespace Strait.IntegrationTests.Messaging;

/// <summary>Observes the messages the tests wait for.</summary>
public class ProbeConsumer(MessageProbe probe) :
    IConsumer<EntryRecorded>,
    IConsumer<CounterTimerFired>,
    IConsumer<TimerPing>,
    IConsumer<Fault<PoisonCommand>>
{
    public Task Consume(ConsumeContext<EntryRecorded> context)
    {
        probe.Observed(context.Message.EntryId, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<CounterTimerFired> context)
    {
        probe.Observed(context.Message.CorrelationId, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<TimerPing> context)
    {
        probe.Observed(context.Message.Id, context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<Fault<PoisonCommand>> context)
    {
        probe.Observed(context.Message.Message.Id, context.Message);
        return Task.CompletedTask;
    }
}
