using Xunit.Abstractions;
using Xunit.Sdk;

namespace Strait.EndToEndTests;

/// <summary>
/// One platform, started by the app host, for every end-to-end test. Teardown checks too: a SIGTERM must stop it
/// all, or the run fails.
/// </summary>
public sealed class PlatformFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private AppHostProcess? appHost;

    public AppHostProcess AppHost => appHost ?? throw new InvalidOperationException("The platform has not started.");

    public async Task InitializeAsync()
    {
        appHost = await AppHostProcess.StartAsync();
        diagnostics.OnMessage(new DiagnosticMessage("Platform up in {0:0.0} s at {1}", appHost.StartupTime.TotalSeconds, appHost.BaseUrl));
    }

    public async Task DisposeAsync()
    {
        if (appHost is null)
        {
            return;
        }

        await using (appHost)
        {
            var report = await appHost.StopAsync();
            if (!report.IsClean)
            {
                throw new InvalidOperationException($"SIGTERM did not stop the platform cleanly: {report}");
            }
        }
    }
}
