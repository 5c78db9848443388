using System.Diagnostics;
using MassTransit;
using Strait.Benchmarks.Messaging.Contracts;

namespace Strait.Benchmarks.Messaging;

public class BenchPingConsumer(PingRecorder recorder) : IConsumer<BenchPing>
{
    public Task Consume(ConsumeContext<BenchPing> context)
    {
        recorder.Latencies.TryAdd(context.Message.Sequence, Stopwatch.GetElapsedTime(context.Message.CommittedAt).TotalMilliseconds);
        return Task.CompletedTask;
    }
}
