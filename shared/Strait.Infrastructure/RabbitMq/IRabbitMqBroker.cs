namespace Strait.Infrastructure.RabbitMq;

/// <summary>A RabbitMQ broker from one of the sources.</summary>
internal interface IRabbitMqBroker : IAsyncDisposable
{
    InfrastructureSource Source { get; }

    string ConnectionString { get; }

    IReadOnlyList<int> ProcessIds { get; }

    Task RestartAsync(CancellationToken ct);
}
