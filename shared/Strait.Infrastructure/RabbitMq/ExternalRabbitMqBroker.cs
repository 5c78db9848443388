namespace Strait.Infrastructure.RabbitMq;

/// <summary>A broker named by <c>ConnectionStrings__rabbitmq</c>; used as given, never started or stopped.</summary>
internal sealed class ExternalRabbitMqBroker(string connectionString) : IRabbitMqBroker
{
    public InfrastructureSource Source => InfrastructureSource.Environment;

    public string ConnectionString => connectionString;

    public IReadOnlyList<int> ProcessIds => [];

    public Task RestartAsync(CancellationToken ct) =>
        throw new NotSupportedException("RabbitMQ comes from ConnectionStrings__rabbitmq: it is not ours to restart.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
