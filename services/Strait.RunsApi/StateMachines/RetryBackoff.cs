namespace Strait.RunsApi.StateMachines;

/// <summary>
/// The delay before the next attempt (semantics.md §2.3), with the job's <c>retry_strategy</c> and
/// <c>retry_delays_secs</c> actually applied: exponential (1 s × 2^(n−1)), linear (1 s × n), fixed (1 s) or custom
/// (<c>retry_delays_secs[n−1]</c>, the last one reused), capped, at least 1 s, then ±20 % jitter.
/// </summary>
public static class RetryBackoff
{
    public static TimeSpan NextDelay(string? strategy, IReadOnlyList<int> delaysSecs, int failedAttempt, int maxDelaySecs, Random random)
    {
        var n = Math.Max(1, failedAttempt);
        double seconds = strategy switch
        {
            "linear" => n,
            "fixed" => delaysSecs.Count > 0 ? delaysSecs[0] : 1,
            "custom" when delaysSecs.Count > 0 => delaysSecs[Math.Min(n, delaysSecs.Count) - 1],
            _ => n >= 31 ? maxDelaySecs : Math.Pow(2, n - 1),
        };
        seconds = Math.Clamp(seconds, 1, maxDelaySecs);
        var jitter = (random.NextDouble() * 0.4) - 0.2;
        return TimeSpan.FromSeconds(seconds * (1 + jitter));
    }
}
