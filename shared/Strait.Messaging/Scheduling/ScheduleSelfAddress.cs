namespace Strait.Messaging.Scheduling;

/// <summary>
/// A consume context's payload that sends its self-addressed timers elsewhere. MassTransit's saga <c>Schedule</c>
/// addresses a timer to the queue the triggering message came from; a saga event consumed away from the saga's own
/// endpoint (<see cref="Sagas.SagaEventBatch{TSaga}"/>) sets this, so the timer reaches the saga's queue instead.
/// </summary>
sealed record ScheduleSelfAddress(Uri Address);
