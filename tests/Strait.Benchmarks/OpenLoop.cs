using System.Diagnostics;

namespace Strait.Benchmarks;

/// <summary>An open-loop load generator: one call every 1/rate seconds whatever the answers do.</summary>
public static class OpenLoop
{
    /// <summary>Starts <paramref name="total"/> calls of <paramref name="send"/> (with their index) at <paramref name="rate"/> per second; returns once all finished.</summary>
    public static async Task<TimeSpan> OfferAsync(int rate, int total, Func<int, Task> send, CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var inFlight = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, ct);
            }

            var index = i;
            inFlight.Add(Task.Run(() => send(index), ct));
        }

        await Task.WhenAll(inFlight);
        return clock.Elapsed;
    }
}
