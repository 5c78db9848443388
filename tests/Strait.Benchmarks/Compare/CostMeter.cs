using System.Diagnostics;

namespace Strait.Benchmarks.Compare;

/// <summary>
/// Counts what a round cost: <c>xact_commit</c> of the system's database and, for Strait, the broker's counters,
/// read before the round and again <see cref="PostgresCommits.FlushDelay"/> after it.
/// </summary>
public sealed class CostMeter(PostgresCommits postgres, string database, BrokerMessages? broker)
{
    /// <summary>Commits per second the system makes when idle (pollers, heartbeats); subtracted from a round's count.</summary>
    public double IdleCommitsPerSecond { get; private set; }

    /// <summary>
    /// Measures <see cref="IdleCommitsPerSecond"/> over <paramref name="window"/> (nothing else may run meanwhile) as the
    /// median of six slices: PostgreSQL publishes a backend's counts late and in one lump (stats flush, autovacuum), so a
    /// single window just after a load can count hundreds of commits that belong to the load, not to idling.
    /// </summary>
    public async Task CalibrateAsync(TimeSpan window, CancellationToken ct)
    {
        const int slices = 6;
        var rates = new List<double>(slices);
        for (var i = 0; i < slices; i++)
        {
            var before = await postgres.ReadAsync(database, ct);
            var clock = Stopwatch.StartNew();
            await Task.Delay(window / slices, ct);
            rates.Add((await postgres.ReadAsync(database, ct) - before) / clock.Elapsed.TotalSeconds);
        }

        rates.Sort();
        IdleCommitsPerSecond = (rates[(slices / 2) - 1] + rates[slices / 2]) / 2;
    }

    /// <summary>The counters at the start of a round.</summary>
    public async Task<Mark> StartAsync(CancellationToken ct) =>
        new(await postgres.ReadAsync(database, ct), broker is null ? null : await broker.ReadAsync(ct), Stopwatch.GetTimestamp());

    /// <summary>
    /// Waits for PostgreSQL to publish the round's counts, then divides by <paramref name="runs"/>.
    /// <paramref name="runningTime"/>: how long the system's background ran in the round (null: all along).
    /// </summary>
    public async Task<RoundCost> StopAsync(Mark start, int runs, TimeSpan? runningTime, CancellationToken ct)
    {
        await Task.Delay(PostgresCommits.FlushDelay, ct);
        var raw = await postgres.ReadAsync(database, ct) - start.Commits;
        var background = IdleCommitsPerSecond * (runningTime ?? Stopwatch.GetElapsedTime(start.Timestamp)).TotalSeconds;
        var end = broker is null ? (BrokerMessages.Reading?)null : await broker.ReadAsync(ct);
        var perRun = (double)Math.Max(runs, 1);
        return new RoundCost(
            (raw - background) / perRun,
            raw / perRun,
            end is { } published && start.Messages is { } before ? (published.Published - before.Published) / perRun : null,
            end is { } delivered && start.Messages is { } earlier ? (delivered.Delivered - earlier.Delivered) / perRun : null);
    }

    public sealed record Mark(long Commits, BrokerMessages.Reading? Messages, long Timestamp);
}
