namespace Strait.EndToEndTests;

/// <summary>A platform of its own, because the check ends it. Same collection as the shared one: one at a time.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AppHostShutdownTests
{
    [Fact]
    public async Task Sigterm_RunningPlatform_StopsEveryProcessItStarted()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var services = appHost.RecordedServicePids();

        var report = await appHost.StopAsync();

        Assert.True(report.RunningBefore.Count >= ShutdownReport.ExpectedMinimumProcesses, report.ToString());
        Assert.Equal(5, services.Count);
        Assert.Equal(0, report.ExitCode);
        Assert.True(report.LeftAfter.Count == 0, report.ToString());
        Assert.DoesNotContain(services, ProcessScan.IsAlive);
    }
}
