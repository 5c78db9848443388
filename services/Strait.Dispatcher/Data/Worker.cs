namespace Strait.Dispatcher.Data;

/// <summary>A connected worker process that pulls runs of worker-mode jobs from a queue.</summary>
public sealed class Worker
{
    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; init; }
    public string Queue { get; init; } = "default";
    public string Status { get; set; } = "online";
    public int Capacity { get; init; } = 1;
    public DateTimeOffset LastHeartbeatAt { get; set; }
    public DateTimeOffset ConnectedAt { get; init; }
}
