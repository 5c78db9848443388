namespace Strait.Messaging;

/// <summary>In-process wake-ups for the delivery loops, one per table they drain.</summary>
public sealed class StraitMessagingSignals
{
    public DeliverySignal Outbox { get; } = new();

    public DeliverySignal Scheduler { get; } = new();
}
