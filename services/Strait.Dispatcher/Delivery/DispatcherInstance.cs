namespace Strait.Dispatcher.Delivery;

/// <summary>This replica's identity as a lease owner: unique per process start, so a restarted replica never renews a dead one's leases.</summary>
public sealed class DispatcherInstance
{
    public string Id { get; } =
        $"{Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)]}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}
