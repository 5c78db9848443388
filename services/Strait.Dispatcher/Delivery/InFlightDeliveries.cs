using System.Collections.Concurrent;

namespace Strait.Dispatcher.Delivery;

/// <summary>The calls this replica has in flight, by (run, attempt): their leases to renew and a way to abort them.</summary>
public sealed class InFlightDeliveries
{
    private readonly ConcurrentDictionary<(Guid RunId, int Attempt), CancellationTokenSource> calls = new();

    public int Count => calls.Count;

    public IReadOnlyList<(Guid RunId, int Attempt)> Keys => calls.Keys.ToList();

    public bool TryAdd(Guid runId, int attempt, CancellationTokenSource abort) => calls.TryAdd((runId, attempt), abort);

    public void Remove(Guid runId, int attempt) => calls.TryRemove((runId, attempt), out _);

    public bool Contains(Guid runId, int attempt) => calls.ContainsKey((runId, attempt));

    /// <summary>Aborts the call if it runs here (withdrawn, or the run already left <c>executing</c>).</summary>
    public void Abort(Guid runId, int attempt)
    {
        if (calls.TryGetValue((runId, attempt), out var abort))
        {
            try
            {
                abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call finished in the meantime.
            }
        }
    }
}
