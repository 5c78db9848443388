using Strait.SdkIngest.Apis;
using Strait.SdkIngest.Data;

namespace Strait.UnitTests.SdkIngest;

public sealed class SdkRunGuardTests
{
    private static RunStateCopy Run(string status, int attempt = 2) => new() { RunId = Guid.NewGuid(), ProjectId = "p", Status = status, Attempt = attempt };

    [Fact]
    public void Evaluate_UnknownRun_Is404() => Assert.Equal(404, SdkRunGuard.Evaluate(null, 1)?.Status);

    [Theory]
    [InlineData("completed")]
    [InlineData("failed")]
    [InlineData("canceled")]
    [InlineData("dead_letter")]
    public void Evaluate_TerminalRun_Is410EvenForAStaleToken(string status) => Assert.Equal(410, SdkRunGuard.Evaluate(Run(status), 1)?.Status);

    [Fact]
    public void Evaluate_OtherAttempt_Is401Stale() => Assert.Equal((401, "stale run token"), SdkRunGuard.Evaluate(Run("executing"), 1));

    [Theory]
    [InlineData("executing")]
    [InlineData("waiting")]
    [InlineData("queued")]
    [InlineData("dequeued")]
    public void Evaluate_ActiveOrLaggingCopyForTheTokensAttempt_IsAllowed(string status) => Assert.Null(SdkRunGuard.Evaluate(Run(status), 2));

    [Theory]
    [InlineData("delayed")]
    [InlineData("paused")]
    public void Evaluate_InactiveRun_Is409(string status) =>
        Assert.Equal((409, SdkRunGuard.NotActiveMessage), SdkRunGuard.Evaluate(Run(status), 2));
}
