using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>
/// <c>GET /v1/jobs/{id}/health</c>: run statistics of one job over a window. Success rate is completed over finished
/// runs that were not canceled (a cancel says nothing about the endpoint); the health score is that rate as 0–100, and
/// 100 while nothing has finished.
/// </summary>
public sealed record JobHealth(
    Guid JobId,
    string Window,
    DateTimeOffset Since,
    int TotalRuns,
    int CompletedRuns,
    int FailedRuns,
    int TimedOutRuns,
    int CrashedRuns,
    int CanceledRuns,
    int ExpiredRuns,
    double SuccessRate,
    double AvgDurationSecs,
    double P95DurationSecs,
    double P99DurationSecs,
    int HealthScore)
{
    public const string DefaultWindow = "7d";

    public static readonly IReadOnlyDictionary<string, TimeSpan> Windows = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["1h"] = TimeSpan.FromHours(1),
        ["1d"] = TimeSpan.FromDays(1),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
    };

    /// <param name="countsByStatus">Runs created in the window, by API status.</param>
    public static JobHealth Compute(Guid jobId, string window, DateTimeOffset since, IReadOnlyDictionary<string, int> countsByStatus,
        double? avgSecs, double? p95Secs, double? p99Secs)
    {
        int Count(params string[] statuses) => statuses.Sum(s => countsByStatus.TryGetValue(s, out var n) ? n : 0);
        var completed = Count(RunStatuses.Completed);
        // Dead-lettered and system-failed runs failed too: the endpoint did not do the work.
        var failed = Count(RunStatuses.Failed, RunStatuses.DeadLetter, RunStatuses.SystemFailed);
        var timedOut = Count(RunStatuses.TimedOut);
        var crashed = Count(RunStatuses.Crashed);
        var expired = Count(RunStatuses.Expired);
        var finished = completed + failed + timedOut + crashed + expired;
        var successRate = finished == 0 ? 0 : Math.Round((double)completed / finished, 4);
        return new JobHealth(jobId, window, since, countsByStatus.Values.Sum(), completed, failed, timedOut, crashed,
            Count(RunStatuses.Canceled), expired, successRate, Round(avgSecs), Round(p95Secs), Round(p99Secs),
            finished == 0 ? 100 : (int)Math.Round(successRate * 100));
    }

    private static double Round(double? seconds) => Math.Round(seconds ?? 0, 3);
}
