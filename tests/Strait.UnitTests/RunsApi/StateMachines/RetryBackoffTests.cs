using Strait.RunsApi.StateMachines;

namespace Strait.UnitTests.RunsApi.StateMachines;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(null, 1, 1)]
    [InlineData(null, 3, 4)]
    [InlineData("exponential", 5, 16)]
    [InlineData("linear", 4, 4)]
    [InlineData("fixed", 7, 1)]
    public void NextDelay_FollowsTheStrategyWithin20PercentJitter(string? strategy, int failedAttempt, double expectedSeconds)
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var delay = RetryBackoff.NextDelay(strategy, [], failedAttempt, 3600, random).TotalSeconds;
            Assert.InRange(delay, expectedSeconds * 0.8, expectedSeconds * 1.2);
        }
    }

    [Fact]
    public void NextDelay_Custom_UsesConfiguredDelaysAndReusesTheLast()
    {
        var random = new Random(1);
        int[] delays = [5, 30, 120];

        Assert.InRange(RetryBackoff.NextDelay("custom", delays, 1, 3600, random).TotalSeconds, 4, 6);
        Assert.InRange(RetryBackoff.NextDelay("custom", delays, 2, 3600, random).TotalSeconds, 24, 36);
        Assert.InRange(RetryBackoff.NextDelay("custom", delays, 9, 3600, random).TotalSeconds, 96, 144);
    }

    [Fact]
    public void NextDelay_IsCappedAtTheMaximum()
    {
        var delay = RetryBackoff.NextDelay("exponential", [], 40, 60, new Random(3));

        Assert.InRange(delay.TotalSeconds, 48, 72);
    }
}
