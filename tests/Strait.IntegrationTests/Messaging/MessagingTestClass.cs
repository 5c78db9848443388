using Strait.IntegrationTests.Infrastructure;

namespace Strait.IntegrationTests.Messaging;

/// <summary>
/// What every messaging test class starts from: its own database with the test schema, its own queue prefix (so
/// leftovers of one class never reach another's database) and a probe shared by the hosts its tests start.
/// </summary>
public abstract class MessagingTestClass(InfrastructureFixture fixture, string prefix) : IAsyncLifetime
{
    protected InfrastructureFixture Fixture { get; } = fixture;

    protected MessageProbe Probe { get; } = new();

    protected string Prefix { get; } = prefix + Guid.NewGuid().ToString("N")[..6];

    protected string Postgres { get; private set; } = null!;

    protected string RabbitMq => Fixture.Infrastructure.RabbitMqConnectionString;

    public async Task InitializeAsync()
    {
        Postgres = await Fixture.Infrastructure.CreateDatabaseAsync();
        await MessagingTestHost.CreateSchemaAsync(Postgres);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
