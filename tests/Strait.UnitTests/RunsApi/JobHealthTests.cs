using Strait.RunsApi.Apis;

namespace Strait.UnitTests.RunsApi;

public sealed class JobHealthTests
{
    [Fact]
    public void Compute_MixedRuns_RateIsCompletedOverFinishedWithoutCanceled()
    {
        var counts = new Dictionary<string, int>
        {
            ["completed"] = 6, ["failed"] = 1, ["dead_letter"] = 1, ["timed_out"] = 1, ["crashed"] = 1, ["canceled"] = 5, ["queued"] = 2,
        };

        var health = JobHealth.Compute(Guid.Empty, "7d", DateTimeOffset.UnixEpoch, counts, 1.23456, 4, 5);

        Assert.Equal(17, health.TotalRuns);
        Assert.Equal((6, 2, 1, 1, 5, 0), (health.CompletedRuns, health.FailedRuns, health.TimedOutRuns, health.CrashedRuns, health.CanceledRuns, health.ExpiredRuns));
        Assert.Equal(0.6, health.SuccessRate);
        Assert.Equal(60, health.HealthScore);
        Assert.Equal(1.235, health.AvgDurationSecs);
    }

    [Fact]
    public void Compute_NothingFinished_IsHealthyWithZeroRate()
    {
        var health = JobHealth.Compute(Guid.Empty, "1h", DateTimeOffset.UnixEpoch, new Dictionary<string, int> { ["canceled"] = 2 }, null, null, null);

        Assert.Equal((0.0, 100, 0.0), (health.SuccessRate, health.HealthScore, health.P99DurationSecs));
    }
}
