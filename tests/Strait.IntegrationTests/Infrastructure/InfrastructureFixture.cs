using Strait.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Strait.IntegrationTests.Infrastructure;

/// <summary>
/// One PostgreSQL server and one RabbitMQ broker for the whole test run, found or started the way the app host
/// does it (throw-away data). When neither can be provided the collection fails; it never skips.
/// </summary>
public sealed class InfrastructureFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private IInfrastructure? infrastructure;

    public IInfrastructure Infrastructure =>
        infrastructure ?? throw new InvalidOperationException("The infrastructure fixture has not started.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        infrastructure = await LocalInfrastructure.StartAsync(
            new InfrastructureOptions { Log = line => diagnostics.OnMessage(new DiagnosticMessage("[infra] {0}", line)) },
            timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (infrastructure is not null)
        {
            await infrastructure.DisposeAsync();
        }
    }
}
