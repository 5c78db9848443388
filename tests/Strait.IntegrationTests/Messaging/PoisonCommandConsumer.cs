using MassTransit;
using Strait.IntegrationTests.Messaging.Contracts;

namespace Strait.IntegrationTests.Messaging;

public class PoisonCommandConsumer(MessageProbe probe) : IConsumer<PoisonCommand>
{
    public Task Consume(ConsumeContext<PoisonCommand> context)
    {
        probe.ConsumerRan(context.Message.Id);
        throw new InvalidOperationException("This message can never be processed.");
    }
}
