using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>
/// A run created queued is dispatched at once, so its creation is not told on its own: its first transition tells it
/// (<c>RunStatusChanged.CreatedAt</c>). A run held in the queue meanwhile is still readable everywhere (sdk-ingest
/// seeds its copy from runs-api), and its timeline, once it moves, starts with its creation at the time it was made.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RunCreationNoticeTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        api = await RunApiClient.ForNewTenantAsync(platform);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task ARunHeldInTheQueue_IsReadableBeforeItMoves_AndItsTimelineStartsWithItsCreation()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var url = endpoint.Route(async _ => await gate.Task.WaitAsync(TimeSpan.FromSeconds(90)));
        var jobId = await api.CreateJobAsync(url, new { max_concurrency = 1 });
        var first = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(first, "executing");

        var held = await api.TriggerAsync(jobId);

        Assert.Equal("queued", (await api.GetRunAsync(held)).GetProperty("status").GetString());
        var state = await api.Http.GetAsync($"/v1/runs/{held}/state");
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        var checkpoints = await api.Http.GetAsync($"/v1/runs/{held}/checkpoints");
        Assert.Equal(HttpStatusCode.OK, checkpoints.StatusCode);
        Assert.Empty(await api.TimelineAsync(held));

        gate.SetResult();
        // Generous: the held run waits for the first's outcome and then its own admission, on a loaded CI machine.
        var run = await api.WaitForStatusAsync(held, "completed", TimeSpan.FromSeconds(60));
        var events = await WaitForStateChangesAsync(held, 3);
        Assert.Equal(["->queued", "queued->executing", "executing->completed"], events.Select(RunApiClient.Transition));
        Assert.Equal("created as queued", events[0].GetProperty("message").GetString());
        var createdAt = run.GetProperty("created_at").GetDateTimeOffset();
        Assert.Equal(createdAt.ToUnixTimeMilliseconds(), events[0].GetProperty("created_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(3, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task ARunThatWaits_IsToldAtOnce()
    {
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));
        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger",
            new { payload = new { n = 1 }, scheduled_at = DateTimeOffset.UtcNow.AddHours(1) });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var events = await WaitForStateChangesAsync(runId, 1);

        Assert.Equal("created as delayed", events.Single().GetProperty("message").GetString());
    }

    private async Task<List<JsonElement>> WaitForStateChangesAsync(string runId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<JsonElement> events;
        do
        {
            events = await api.StateChangesAsync(runId);
            if (events.Count >= count)
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return events;
    }
}
