using System.Diagnostics;

namespace Strait.Benchmarks.Compare;

/// <summary>When a run or job was submitted: a <see cref="Stopwatch"/> timestamp (for arrivals at the endpoint) and the wall clock (for completion times stamped by the system).</summary>
public readonly record struct Sent(long Timestamp, DateTimeOffset At)
{
    public static Sent Now() => new(Stopwatch.GetTimestamp(), DateTimeOffset.UtcNow);
}

/// <summary>Backlog mode (<c>--runs N</c>: N submitted at once) or rate mode (<c>--rate R --duration S</c>: R per second, open loop).</summary>
public sealed record RoundPlan(int? Backlog, int Rate, int Duration)
{
    public int Jobs => Backlog ?? Rate * Duration;

    public TimeSpan DrainTimeout => TimeSpan.FromSeconds(Math.Max(300, Jobs / 5.0));

    public override string ToString() => Backlog is { } n ? $"backlog of {n}" : $"{Rate}/s offered for {Duration} s ({Jobs})";
}

/// <summary>What one round of one system measured. Latencies are sorted ascending, in milliseconds.</summary>
public sealed record RoundResult(
    string System,
    int Round,
    int Jobs,
    int Completed,
    double Seconds,
    IReadOnlyList<double> ToDispatch,
    IReadOnlyList<double> ToCompleted,
    RoundCost Cost)
{
    /// <summary>Completed runs over the time from the first trigger (or the backlog's release) to the last completion.</summary>
    public double RunsPerSecond => Seconds > 0 ? Completed / Seconds : 0;

    /// <summary>
    /// submitted→arrival at the endpoint, submitted→completed (the system's own completion time), and the time from
    /// the first submission to the last completion.
    /// </summary>
    public static RoundResult From(
        string system,
        int round,
        int jobs,
        IReadOnlyDictionary<string, Sent> sent,
        IReadOnlyDictionary<string, long> arrivals,
        IReadOnlyDictionary<string, DateTimeOffset> completed,
        RoundCost cost)
    {
        var toDispatch = sent.Where(s => arrivals.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value.Timestamp, arrivals[s.Key]).TotalMilliseconds).Order().ToList();
        var finished = sent.Where(s => completed.ContainsKey(s.Key)).Select(s => (s.Value.At, End: completed[s.Key])).ToList();
        var toCompleted = finished.Select(f => (f.End - f.At).TotalMilliseconds).Order().ToList();
        var seconds = finished.Count == 0 ? 0 : (finished.Max(f => f.End) - sent.Values.Min(s => s.At)).TotalSeconds;
        return new RoundResult(system, round, jobs, finished.Count, seconds, toDispatch, toCompleted, cost);
    }
}

/// <summary>
/// Per run: PostgreSQL commits net of the system's idle background (its pollers, measured beforehand, times the
/// time it ran), the raw commits, and the broker's received messages and deliveries (null without a broker to read).
/// </summary>
public sealed record RoundCost(double CommitsPerRun, double RawCommitsPerRun, double? MessagesPerRun, double? DeliveriesPerRun);
