namespace Strait.Messaging.Outbox;

/// <summary>Marks a consume context whose work runs inside the outbox transaction of this session.</summary>
interface IStraitTransactionContext
{
    StraitMessagingSession Session { get; }

    /// <summary>
    /// False once the step's transaction has committed or rolled back. MassTransit keeps the context in
    /// payloads (the message scheduler) past that point, e.g. for scheduled redelivery after a fault.
    /// </summary>
    bool IsTransactionActive { get; }
}
