using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;
using Strait.IntegrationTests.RunsApi;

namespace Strait.IntegrationTests.SdkIngest;

/// <summary>
/// The SDK run plane through the gateway with a real run: a job endpoint answers 202, and its run token is used for the
/// telemetry calls, whose stored effect is read back through the management API.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SdkRunPlaneTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private string url = null!;
    private string jobId = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        api = await RunApiClient.ForNewTenantAsync(platform);
        url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        jobId = await api.CreateJobAsync(url);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task LogProgressResources_ValidBodies_StoredAsRunEvents()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;

        var log = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "hello", level = "warn", data = new { k = 1 } });
        var progress = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/progress", new { percent = 40, message = "loading", step = "load", eta_seconds = 12 });
        var resources = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/resources", new { memory_mb = 512, memory_percent = 85, cpu_percent = 20 });

        Assert.Equal(HttpStatusCode.Created, log.StatusCode);
        Assert.Equal(HttpStatusCode.Created, progress.StatusCode);
        Assert.Equal(HttpStatusCode.Created, resources.StatusCode);
        var logBody = await log.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("log", logBody.GetProperty("type").GetString());
        Assert.Equal(runId, logBody.GetProperty("run_id").GetString());
        var events = await EventsAsync(runId);
        var stored = Assert.Single(events, e => e.GetProperty("type").GetString() == "log");
        Assert.Equal("warn", stored.GetProperty("level").GetString());
        Assert.Equal(1, stored.GetProperty("data").GetProperty("k").GetInt32());
        var storedProgress = Assert.Single(events, e => e.GetProperty("type").GetString() == "progress");
        Assert.Equal(40, storedProgress.GetProperty("data").GetProperty("percent").GetDouble());
        Assert.Equal("load", storedProgress.GetProperty("data").GetProperty("step").GetString());
        var sample = Assert.Single(events, e => e.GetProperty("type").GetString() == "resource_sample");
        Assert.Equal("warn", sample.GetProperty("level").GetString());
    }

    [Fact]
    public async Task SdkCalls_BeforeSdkIngestHeardOfTheRun_SeedItsCopyFromRunsApiInsteadOf404()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        // As if the job code called before the run's first status message reached sdk-ingest.
        await ForgetRunCopyAsync(runId);

        var log = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "early" });
        await ForgetRunCopyAsync(runId);
        var checkpoint = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/checkpoint", new { state = new { n = 1 } });

        Assert.Equal(HttpStatusCode.Created, log.StatusCode);
        Assert.True(checkpoint.IsSuccessStatusCode, $"checkpoint answered {(int)checkpoint.StatusCode}");
        Assert.Single(await EventsAsync(runId), e => e.GetProperty("type").GetString() == "log");
    }

    private async Task ForgetRunCopyAsync(string runId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(platform.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("DELETE FROM ingest.run_states WHERE run_id = @id", connection);
        command.Parameters.AddWithValue("id", Guid.Parse(runId));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task RunData_EachSdkWrite_IsReadBackThroughTheManagementApi()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var run = $"/sdk/v1/runs/{runId}";

        var checkpoint = await sdk.PostAsJsonAsync($"{run}/checkpoint", new { state = new { cursor = 7 } });
        var output1 = await sdk.PostAsJsonAsync($"{run}/output", new { output_key = "summary", value = new { v = 1 } });
        var output2 = await sdk.PostAsJsonAsync($"{run}/output", new { output_key = "summary", value = new { v = 2 } });
        var usage = await sdk.PostAsJsonAsync($"{run}/usage", new { provider = "openai", model = "gpt", prompt_tokens = 10, completion_tokens = 5, cost_microusd = 30 });
        var tool = await sdk.PostAsJsonAsync($"{run}/tool-call", new { tool_name = "search", input = new { q = "x" }, duration_ms = 15 });
        var annotate1 = await sdk.PostAsJsonAsync($"{run}/annotate", new { annotations = new { team = "a", env = "dev" } });
        var annotate2 = await sdk.PostAsJsonAsync($"{run}/annotate", new { team = "b" });
        var setState = await sdk.PostAsJsonAsync($"{run}/state", new { key = "page", value = new { n = 3 } });
        var getState = await sdk.GetAsync($"{run}/state/page");
        var deleteMissing = await sdk.DeleteAsync($"{run}/state/none");
        var getMissing = await sdk.GetAsync($"{run}/state/none");
        var payload = await sdk.GetAsync($"{run}/payload");

        Assert.Equal(HttpStatusCode.Created, checkpoint.StatusCode);
        var checkpointBody = await checkpoint.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, checkpointBody.GetProperty("sequence").GetInt32());
        Assert.Equal("sdk", checkpointBody.GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.Created, output1.StatusCode);
        Assert.Equal(HttpStatusCode.Created, output2.StatusCode);
        Assert.Equal(HttpStatusCode.Created, usage.StatusCode);
        Assert.Equal(15, (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total_tokens").GetInt64());
        Assert.Equal(HttpStatusCode.Created, tool.StatusCode);
        Assert.Equal("completed", (await tool.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, annotate1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, annotate2.StatusCode);
        var annotations = (await annotate2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("annotations");
        Assert.Equal("b", annotations.GetProperty("team").GetString());
        Assert.Equal("dev", annotations.GetProperty("env").GetString());
        Assert.Equal(HttpStatusCode.Created, setState.StatusCode);
        Assert.Equal(3, (await getState.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetProperty("n").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleteMissing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getMissing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, payload.StatusCode);
        Assert.Equal(1, (await payload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("n").GetInt32());

        var checkpoints = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/checkpoints");
        Assert.Equal(7, Assert.Single(checkpoints.GetProperty("data").EnumerateArray()).GetProperty("state").GetProperty("cursor").GetInt32());
        var outputs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/outputs");
        Assert.Equal(2, Assert.Single(outputs.GetProperty("data").EnumerateArray()).GetProperty("value").GetProperty("v").GetInt32());
        var usages = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/usage");
        Assert.Equal("gpt", Assert.Single(usages.GetProperty("data").EnumerateArray()).GetProperty("model").GetString());
        var tools = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/tool-calls");
        Assert.Equal("x", Assert.Single(tools.GetProperty("data").EnumerateArray()).GetProperty("input").GetProperty("q").GetString());
        var state = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/state");
        Assert.Equal("page", Assert.Single(state.EnumerateArray()).GetProperty("state_key").GetString());

        var deleted = await sdk.DeleteAsync($"{run}/state/page");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sdk.GetAsync($"{run}/state/page")).StatusCode);
    }

    [Fact]
    public async Task Limits_OutOfRangeBodies_AreRefusedWithTheDocumentedStatus()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var run = $"/sdk/v1/runs/{runId}";
        var tooMany = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => "v");

        var annotate = await sdk.PostAsJsonAsync($"{run}/annotate", new { annotations = tooMany });
        var blankKey = await sdk.PostAsJsonAsync($"{run}/annotate", new Dictionary<string, string> { [" "] = "v" });
        var bigState = await sdk.PostAsJsonAsync($"{run}/state", new { key = "big", value = new string('x', 64 * 1024) });
        var percent = await sdk.PostAsJsonAsync($"{run}/progress", new { percent = 101, message = "m" });
        var level = await sdk.PostAsJsonAsync($"{run}/log", new { message = "m", level = "loud" });
        var noMessage = await sdk.PostAsJsonAsync($"{run}/log", new { level = "info" });
        var noState = await sdk.PostAsJsonAsync($"{run}/checkpoint", new { source = "x" });
        var cpu = await sdk.PostAsJsonAsync($"{run}/resources", new { cpu_percent = 120 });

        Assert.Equal(HttpStatusCode.BadRequest, annotate.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, blankKey.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bigState.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, percent.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, level.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noMessage.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noState.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, cpu.StatusCode);
        var error = await percent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation_failed", error.GetProperty("code").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetString()!.StartsWith("percent:", StringComparison.Ordinal));
        Assert.DoesNotContain(await EventsAsync(runId), e => e.GetProperty("type").GetString() is "log" or "progress" or "resource_sample");
    }

    [Fact]
    public async Task Tokens_MissingForeignOrFinished_AreRefused()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        using var anonymous = platform.Client();
        using var otherTenant = await RunApiClient.ForNewTenantAsync(platform);

        var noToken = await anonymous.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "m" });
        var otherRun = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{Guid.CreateVersion7()}/log", new { message = "m" });
        var foreignRead = await otherTenant.Http.GetAsync($"/v1/runs/{runId}/checkpoints");
        var complete = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { result = new { ok = true } });
        var afterComplete = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "late" });
        var checkpointAfter = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/checkpoint", new { state = new { } });

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, afterComplete.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, checkpointAfter.StatusCode);
        Assert.Equal("gone", (await afterComplete.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Checkpoint_TwentyConcurrentCalls_GetSequencesOneToTwenty()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/checkpoint", new { state = new { i } })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var sequences = new List<int>();
        foreach (var response in responses)
        {
            sequences.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequence").GetInt32());
        }

        Assert.Equal(Enumerable.Range(1, 20), sequences.Order());
        var listed = new List<int>();
        var query = "limit=7";
        JsonElement page;
        do
        {
            page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/checkpoints?{query}");
            listed.AddRange(page.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("sequence").GetInt32()));
            query = page.GetProperty("has_more").GetBoolean() ? "limit=7&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!) : "";
        }
        while (query.Length > 0);

        Assert.Equal(Enumerable.Range(1, 20).Reverse(), listed);
    }

    [Fact]
    public async Task Log_RacingComplete_EveryAcceptedLogIsStoredAndLaterOnesAreGone()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;

        var logs = Enumerable.Range(0, 30).Select(i => sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = $"line {i}" })).ToList();
        var complete = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { });
        var late = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "late" });
        var statuses = (await Task.WhenAll(logs)).Select(r => r.StatusCode).ToList();

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.Gone, $"unexpected {s}"));
        var stored = (await EventsAsync(runId)).Count(e => e.GetProperty("type").GetString() == "log");
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Created), stored);
        await api.WaitForStatusAsync(runId, "completed");
    }

    [Fact]
    public async Task Token_FromTheAttemptBeforeARetry_IsStale()
    {
        var calls = 0;
        var retryUrl = endpoint.Route(c => { c.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 202; return Task.CompletedTask; });
        var retryJob = await api.CreateJobAsync(retryUrl, new { max_attempts = 3, retry_delays_secs = new[] { 1 } });
        var runId = await api.TriggerAsync(retryJob);
        await WaitForTimelineAsync(runId, t => t.Count(s => s == "queued->executing") == 2);
        await WaitForRequestsAsync(retryUrl, 2);
        var requests = endpoint.RequestsTo(retryUrl);
        using var first = platform.Client(requests[0].Header("X-Run-Token"));
        using var second = platform.Client(requests[1].Header("X-Run-Token"));

        var stale = await first.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "from attempt 1" });
        var current = await second.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "from attempt 2" });

        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal("stale run token", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Created, current.StatusCode);
    }

    [Fact]
    public async Task Token_AfterDeadLetterReplay_IsAcceptedForTheRestartedAttempt()
    {
        var calls = 0;
        var replayUrl = endpoint.Route(c => { c.Response.StatusCode = Interlocked.Increment(ref calls) <= 2 ? 503 : 202; return Task.CompletedTask; });
        var replayJob = await api.CreateJobAsync(replayUrl, new { max_attempts = 2, retry_delays_secs = new[] { 1 } });
        var runId = await api.TriggerAsync(replayJob);
        await WaitForTimelineAsync(runId, t => t.Contains("executing->dead_letter"));

        var replay = await api.Http.PostAsync($"/v1/runs/{runId}/dlq-replay", null);
        await WaitForTimelineAsync(runId, t => t.Count(s => s == "queued->executing") == 3);
        await WaitForRequestsAsync(replayUrl, 3);
        using var sdk = platform.Client(endpoint.RequestsTo(replayUrl)[2].Header("X-Run-Token"));
        var log = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "after replay" });

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Created, log.StatusCode);
    }

    /// <summary>A run in <c>executing</c>, as seen by runs-api and by sdk-ingest's copy, and an SDK client holding its token.</summary>
    private async Task<(string RunId, HttpClient Sdk)> StartExecutingRunAsync()
    {
        var runId = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(runId, "executing");
        await WaitForTimelineAsync(runId, t => t.Contains("queued->executing"));
        await WaitForRequestsAsync(url, r => r.Header("X-Run-ID") == runId);
        var request = Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
        return (runId, platform.Client(request.Header("X-Run-Token")));
    }

    // sdk-ingest's timeline is written with its run copy, so this also waits for the copy to catch up.
    private async Task WaitForTimelineAsync(string runId, Func<List<string>, bool> reached)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> timeline;
        while (!reached(timeline = await api.TimelineAsync(runId)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {runId} timeline is [{string.Join(", ", timeline)}]");
            }

            await Task.Delay(20);
        }
    }

    private Task WaitForRequestsAsync(string to, int count) => WaitForRequestsAsync(to, _ => true, count);

    private async Task WaitForRequestsAsync(string to, Func<ReceivedRequest, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (endpoint.RequestsTo(to).Count(match) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{to} received {endpoint.RequestsTo(to).Count(match)} of {count} requests");
            }

            await Task.Delay(20);
        }
    }

    private async Task<List<JsonElement>> EventsAsync(string runId)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?limit=100");
        return page.GetProperty("data").EnumerateArray().ToList();
    }
}
