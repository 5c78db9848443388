namespace Strait.Dispatcher.Delivery;

/// <summary>
/// The message reporting one delivery (<c>RunDispatchSucceeded</c>, <c>RunDispatchAccepted</c> or <c>RunDispatchFailed</c>)
/// and whether the attempt keeps its slot afterwards (202 only).
/// </summary>
public sealed record DeliveryOutcome(object Message, bool HoldsSlot);
