namespace Strait.IntegrationTests.Platform;

/// <summary>
/// Job code that heartbeats its run until disposed, as an SDK does while the job works: the test platform's heartbeat
/// timeout is 3 s. A failed beat is tried again at the next one.
/// </summary>
public sealed class HeartbeatLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <param name="sdk">A client with the run's token; disposed with the loop when <paramref name="ownsClient"/>.</param>
    public HeartbeatLoop(HttpClient sdk, string runId, TimeSpan interval, bool ownsClient = false) => loop = Task.Run(async () =>
    {
        try
        {
            while (true)
            {
                try
                {
                    using var response = await sdk.PostAsync($"/sdk/v1/runs/{runId}/heartbeat", null, stop.Token);
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(interval, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (ownsClient)
            {
                sdk.Dispose();
            }
        }
    });

    /// <summary>Stops the heartbeats; may be called again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
            await loop;
        }
    }
}
