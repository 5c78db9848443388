using System.Diagnostics;

namespace Strait.Benchmarks;

/// <summary>Tells when a growing count (arrivals, completions) has not grown for <paramref name="stall"/>; never without one.</summary>
public sealed class StallWatch(TimeSpan? stall)
{
    private readonly Stopwatch since = Stopwatch.StartNew();
    private int seen = -1;

    public bool Stalled(int count)
    {
        if (count != seen)
        {
            seen = count;
            since.Restart();
        }

        return since.Elapsed > stall;
    }
}
