using Strait.Contracts.Runs;
using Strait.SdkIngest.Consumers;

namespace Strait.UnitTests.SdkIngest;

public sealed class RunStatusChangedAttemptTests
{
    private static RunStatusChanged Change(string? from, string to, int attempt, string? error = null) => new()
    {
        RunId = Guid.NewGuid(), ProjectId = "p", JobId = Guid.NewGuid(), From = from, To = to, Attempt = attempt, Error = error, At = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void AttemptAfter_RetryWithError_StartsTheNextAttempt() =>
        Assert.Equal(3, RunStatusChangedConsumer.AttemptAfter(Change("executing", "queued", 2, "HTTP 500")));

    [Theory]
    [InlineData(null, "queued")]
    [InlineData("queued", "executing")]
    [InlineData("executing", "completed")]
    [InlineData("dead_letter", "queued")]
    public void AttemptAfter_OtherTransitions_KeepTheAttempt(string? from, string to) =>
        Assert.Equal(2, RunStatusChangedConsumer.AttemptAfter(Change(from, to, 2)));

    [Fact]
    public void AttemptAfter_DeadLetterReplay_NamesTheRestartedAttempt() =>
        Assert.Equal(1, RunStatusChangedConsumer.AttemptAfter(Change("dead_letter", "queued", 1)));
}
