using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strait.IntegrationTests.Dispatcher;

/// <summary>Every message the dispatcher published that the test bus received, in arrival order.</summary>
public sealed class OutcomeProbe
{
    private readonly ConcurrentQueue<object> messages = new();

    public void Add(object message) => messages.Enqueue(message);

    public IReadOnlyList<T> All<T>(Func<T, bool>? filter = null) => messages.OfType<T>().Where(m => filter?.Invoke(m) ?? true).ToList();

    public async Task<T> WaitForAsync<T>(Func<T, bool> filter, TimeSpan? timeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = messages.OfType<T>().FirstOrDefault(filter);
            if (found is not null)
            {
                return found;
            }

            if (stopwatch.Elapsed > limit)
            {
                throw new TimeoutException($"No {typeof(T).Name} matching the condition within {limit.TotalSeconds:0}s");
            }

            await Task.Delay(50);
        }
    }
}
