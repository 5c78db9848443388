using Strait.Contracts.Runs;

namespace Strait.Dispatcher.Delivery;

/// <summary>Builds <see cref="ExecutionTrace"/> from measured spans: whole milliseconds, a positive sub-millisecond span counts as 1.</summary>
public static class ExecutionTraceBuilder
{
    public static ExecutionTrace Build(TimeSpan queueWait, TimeSpan connect, TimeSpan ttfb, TimeSpan transfer, TimeSpan total)
    {
        var connectMs = Milliseconds(connect);
        var ttfbMs = Milliseconds(ttfb);
        var transferMs = Milliseconds(transfer);
        return new ExecutionTrace
        {
            QueueWaitMs = Milliseconds(queueWait),
            ConnectMs = connectMs,
            TtfbMs = ttfbMs,
            TransferMs = transferMs,
            DispatchMs = connectMs + ttfbMs + transferMs,
            TotalMs = Milliseconds(total),
        };
    }

    public static long Milliseconds(TimeSpan span) => span.Ticks <= 0 ? 0 : Math.Max(1, (long)span.TotalMilliseconds);
}
