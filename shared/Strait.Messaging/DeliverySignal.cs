namespace Strait.Messaging;

/// <summary>
/// An auto-reset wake-up for a background delivery loop: commits that wrote rows call
/// <see cref="Set"/>, the loop awaits <see cref="WaitAsync"/> with its safety-net timeout.
/// </summary>
public sealed class DeliverySignal
{
    TaskCompletionSource _signal = NewSource();

    public void Set() => _signal.TrySetResult();

    /// <summary>Waits until signalled or <paramref name="timeout"/> passes; consumes the signal.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _signal);
        if (!current.Task.IsCompleted)
        {
            try
            {
                await current.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }

        // Reset only the source we waited on, so a Set that raced with this wait is not lost.
        if (current.Task.IsCompleted)
            Interlocked.CompareExchange(ref _signal, NewSource(), current);
    }

    static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
