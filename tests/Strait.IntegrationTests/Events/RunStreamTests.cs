using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;
using Strait.IntegrationTests.RunsApi;

namespace Strait.IntegrationTests.Events;

/// <summary>Live run streams (SSE) through the gateway: what happens to the run while a listener is connected, project-scoped.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RunStreamTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private string url = null!;
    private string jobId = null!;
    private readonly ConcurrentDictionary<string, HeartbeatLoop> heartbeats = new();

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        api = await RunApiClient.ForNewTenantAsync(platform);
        url = endpoint.Route(c =>
        {
            // The job code heartbeats every half second from the moment its call arrives until the test stops it: a loaded
            // machine can take longer than the platform's 3 s heartbeat timeout between the dispatch and the test's next call.
            var runId = c.Request.Headers["X-Run-ID"].ToString();
            heartbeats.GetOrAdd(runId, id =>
                new HeartbeatLoop(platform.Client(c.Request.Headers["X-Run-Token"].ToString()), id, TimeSpan.FromMilliseconds(500), ownsClient: true));
            c.Response.StatusCode = 202;
            return Task.CompletedTask;
        });
        jobId = await api.CreateJobAsync(url);
    }

    public async Task DisposeAsync()
    {
        foreach (var beating in heartbeats.Values)
        {
            await beating.DisposeAsync();
        }

        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Stream_OfAnExecutingRun_ShowsLogsChunksAndStatusChangesAndEndsWhenTheRunEnds()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await api.Http.GetAsync($"/v1/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = ReadFrames(response, timeout.Token);
        using var chunks = await api.Http.GetAsync($"/v1/runs/{runId}/stream/chunks", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var chunkFrames = ReadFrames(chunks, timeout.Token);

        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "step one", level = "warn" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { chunk = "tok", stream_id = "s1" })).StatusCode);
        var log = await NextFrameAsync(frames, "event", timeout.Token);
        var chunk = await NextFrameAsync(chunkFrames, "stream_chunk", timeout.Token);
        Assert.Equal("step one", log.GetProperty("message").GetString());
        Assert.Equal("warn", log.GetProperty("level").GetString());
        Assert.Equal("log", log.GetProperty("event_type").GetString());
        Assert.Equal("tok", chunk.GetProperty("chunk").GetString());
        Assert.Equal("s1", chunk.GetProperty("stream_id").GetString());

        // The heartbeats stop only once the run waits (a beat to a waiting run is answered and changes nothing): stopped
        // first, a loaded machine could let the 3 s heartbeat timeout pass before the wait request arrives.
        var key = "stream-" + Guid.NewGuid().ToString("N");
        using (var wait = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key }))
        {
            Assert.True(wait.StatusCode == HttpStatusCode.OK,
                $"wait-for-event answered {(int)wait.StatusCode} {await wait.Content.ReadAsStringAsync()}; run {await api.GetRunAsync(runId)}");
        }

        await heartbeats[runId].DisposeAsync();
        var waiting = await NextStatusChangeAsync(frames, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { result = new { ok = true } })).StatusCode);
        var completed = await NextStatusChangeAsync(frames, timeout.Token);

        Assert.Equal(runId, waiting.GetProperty("run_id").GetString());
        Assert.Equal("executing", waiting.GetProperty("from").GetString());
        Assert.Equal("waiting", waiting.GetProperty("to").GetString());
        Assert.True(waiting.TryGetProperty("timestamp", out var _));
        Assert.Equal("waiting", completed.GetProperty("from").GetString());
        Assert.Equal("completed", completed.GetProperty("to").GetString());
        // Both streams end after the run's terminal change; the chunk stream never showed a status change.
        Assert.False(await frames.WaitToReadAsync(timeout.Token));
        Assert.False(await chunkFrames.WaitToReadAsync(timeout.Token));
        Assert.False(chunkFrames.TryRead(out var _));
    }

    [Fact]
    public async Task Stream_OfAFinishedUnknownOrForeignRun_IsRefused()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        using var other = await RunApiClient.ForNewTenantAsync(platform);

        var foreign = await other.Http.GetAsync($"/v1/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead);
        var foreignChunks = await other.Http.GetAsync($"/v1/runs/{runId}/stream/chunks", HttpCompletionOption.ResponseHeadersRead);
        var unknown = await api.Http.GetAsync($"/v1/runs/{Guid.CreateVersion7()}/stream", HttpCompletionOption.ResponseHeadersRead);
        var malformed = await api.Http.GetAsync("/v1/runs/not-a-run/stream", HttpCompletionOption.ResponseHeadersRead);
        var anonymous = await platform.Client().GetAsync($"/v1/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead);
        // Ended by a cancel, which any unfinished run takes, wherever its heartbeats got to on a loaded machine.
        Assert.Equal(HttpStatusCode.OK, (await api.Http.DeleteAsync($"/v1/runs/{runId}")).StatusCode);
        await api.WaitForStatusAsync(runId, "canceled");
        var finished = await WaitForStreamStatusAsync(runId, HttpStatusCode.Gone);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignChunks.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("gone", (await finished.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private async Task<HttpResponseMessage> WaitForStreamStatusAsync(string runId, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await api.Http.GetAsync($"/v1/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == status || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }

    private static Task<JsonElement> NextStatusChangeAsync(ChannelReader<JsonElement> frames, CancellationToken ct) =>
        NextFrameAsync(frames, "status_change", ct);

    private static async Task<JsonElement> NextFrameAsync(ChannelReader<JsonElement> frames, string type, CancellationToken ct)
    {
        while (true)
        {
            var frame = await frames.ReadAsync(ct);
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
        }
    }

    /// <summary>The <c>data:</c> frames of an SSE response as they arrive; completes when the server ends the stream.</summary>
    private static ChannelReader<JsonElement> ReadFrames(HttpResponseMessage response, CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<JsonElement>();
        _ = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        channel.Writer.TryWrite(JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
                    }
                }

                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, ct);
        return channel.Reader;
    }

    private async Task<(string RunId, HttpClient Sdk)> StartExecutingRunAsync()
    {
        var runId = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(runId, "executing");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await api.TimelineAsync(runId)).Contains("queued->executing") || !endpoint.RequestsTo(url).Any(r => r.Header("X-Run-ID") == runId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not reach the endpoint");
            await Task.Delay(20);
        }

        var request = Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
        return (runId, platform.Client(request.Header("X-Run-Token")));
    }
}
