using System.Collections.Concurrent;

namespace Strait.Benchmarks.Messaging;

/// <summary>Commit-to-consume latencies of <see cref="Contracts.BenchPing"/>, in milliseconds.</summary>
public sealed class PingRecorder
{
    public ConcurrentDictionary<int, double> Latencies { get; } = new();
}
