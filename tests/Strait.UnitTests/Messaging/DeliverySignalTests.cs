using System.Diagnostics;
using Strait.Messaging;

namespace Strait.UnitTests.Messaging;

public class DeliverySignalTests
{
    [Fact]
    public async Task Wait_SetBeforeWaiting_ReturnsAtOnce()
    {
        var signal = new DeliverySignal();
        signal.Set();

        var stopwatch = Stopwatch.StartNew();
        await signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wait_SignalConsumed_NextWaitTimesOut()
    {
        var signal = new DeliverySignal();
        signal.Set();
        await signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        var stopwatch = Stopwatch.StartNew();
        await signal.WaitAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task Wait_SetWhileWaiting_Wakes()
    {
        var signal = new DeliverySignal();
        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        signal.Set();

        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Wait_Cancelled_Throws()
    {
        var signal = new DeliverySignal();
        using var cancellation = new CancellationTokenSource();
        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(30), cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
