using Strait.Infrastructure.PostgreSql;
using Testcontainers.RabbitMq;

namespace Strait.Infrastructure.RabbitMq;

/// <summary>RabbitMQ in a container (Testcontainers), on a fixed host port so a restart keeps the address.</summary>
internal sealed class RabbitMqContainerBroker : IRabbitMqBroker
{
    private const string Image = "rabbitmq:3.13-alpine";

    private readonly RabbitMqContainer container;
    private readonly int port;

    private RabbitMqContainerBroker(RabbitMqContainer container, int port)
    {
        this.container = container;
        this.port = port;
    }

    public InfrastructureSource Source => InfrastructureSource.Containers;

    public string ConnectionString => $"amqp://guest:guest@{container.Hostname}:{port}/";

    public IReadOnlyList<int> ProcessIds => [];

    public static async Task<RabbitMqContainerBroker> StartAsync(string? dataDirectory, Action<string> log, CancellationToken ct)
    {
        var port = FreeTcpPort.Next();
        var builder = new RabbitMqBuilder(Image)
            .WithUsername("guest")
            .WithPassword("guest")
            .WithPortBinding(port, 5672);
        if (dataDirectory is not null)
        {
            // Mnesia is tied to the node name, which derives from the host name: both must stay the same across runs.
            builder = builder
                .WithHostname("strait-rabbitmq")
                .WithVolumeMount(PostgresContainerServer.VolumeName(dataDirectory, "rabbitmq"), "/var/lib/rabbitmq");
        }

        var container = builder.Build();
        log($"RabbitMQ: starting container {Image} on port {port}");
        try
        {
            await container.StartAsync(ct);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }

        return new RabbitMqContainerBroker(container, port);
    }

    public async Task RestartAsync(CancellationToken ct)
    {
        await container.StopAsync(ct);
        await container.StartAsync(ct);
    }

    public ValueTask DisposeAsync() => container.DisposeAsync();
}
