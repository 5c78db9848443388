using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strait.IntegrationTests.Messaging;

/// <summary>What the test consumers saw, shared by every host a test starts.</summary>
public sealed class MessageProbe
{
    readonly ConcurrentQueue<(Guid Key, object Message, DateTime At)> _observed = new();
    readonly ConcurrentDictionary<Guid, int> _consumerRuns = new();

    public void Observed(Guid key, object message) => _observed.Enqueue((key, message, DateTime.UtcNow));

    public void ConsumerRan(Guid key) => _consumerRuns.AddOrUpdate(key, 1, (_, count) => count + 1);

    public int ConsumerRuns(Guid key) => _consumerRuns.GetValueOrDefault(key);

    public IReadOnlyList<(Guid Key, T Message, DateTime At)> Observations<T>() =>
        _observed.Where(x => x.Message is T).Select(x => (x.Key, (T)x.Message, x.At)).ToList();

    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitUntil(() => Task.FromResult(condition()), timeout, what);
}
