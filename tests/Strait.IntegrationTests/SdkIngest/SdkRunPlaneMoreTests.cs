using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RabbitMQ.Client;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;
using Strait.IntegrationTests.RunsApi;

namespace Strait.IntegrationTests.SdkIngest;

/// <summary>
/// The rest of the SDK plane through the gateway with real runs of a job whose endpoint answers 202: job memory, stream
/// chunks and the live feed, annotations reaching the run, output schemas, the debug bundle and debug mode, event
/// filters, and the token and state refusals of the new endpoints.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SdkRunPlaneMoreTests(PlatformFixture fixture) : IAsyncLifetime
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
        jobId = await api.CreateJobAsync(url, new { timeout_secs = 600 });
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Memory_SetGetListDelete_IsSharedByTheRunsOfTheJob()
    {
        var (first, sdk1) = await StartExecutingRunAsync();
        var (second, sdk2) = await StartExecutingRunAsync();
        using var _ = sdk1;
        using var __ = sdk2;
        await using var beat1 = KeepAlive(sdk1, first);
        await using var beat2 = KeepAlive(sdk2, second);

        var set1 = await sdk1.PostAsJsonAsync($"/sdk/v1/runs/{first}/memory/cursor", new { value = new { page = 1 } });
        var set2 = await sdk1.PostAsJsonAsync($"/sdk/v1/runs/{first}/memory/cursor", new { value = new { page = 2 } });
        var other = await sdk1.PostAsJsonAsync($"/sdk/v1/runs/{first}/memory/seen", new { value = new[] { "a", "b" } });
        var fromSecond = await sdk2.GetAsync($"/sdk/v1/runs/{second}/memory/cursor");
        var list = await sdk2.GetFromJsonAsync<JsonElement>($"/sdk/v1/runs/{second}/memory");
        var delete = await sdk2.DeleteAsync($"/sdk/v1/runs/{second}/memory/seen");
        var afterDelete = await sdk1.GetAsync($"/sdk/v1/runs/{first}/memory/seen");

        Assert.Equal(HttpStatusCode.Created, set1.StatusCode);
        Assert.Equal(HttpStatusCode.Created, set2.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var created = await set1.Content.ReadFromJsonAsync<JsonElement>();
        var updated = await set2.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(created.GetProperty("id").GetString(), updated.GetProperty("id").GetString());
        Assert.Equal(jobId, updated.GetProperty("job_id").GetString());
        Assert.Equal("cursor", updated.GetProperty("memory_key").GetString());
        Assert.Equal("{\"page\":2}".Length, updated.GetProperty("size_bytes").GetInt32());
        Assert.False(updated.TryGetProperty("ttl_expires_at", out JsonElement _));
        Assert.Equal(HttpStatusCode.OK, fromSecond.StatusCode);
        Assert.Equal(2, (await fromSecond.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetProperty("page").GetInt32());
        Assert.Equal(["cursor", "seen"], list.EnumerateArray().Select(m => m.GetProperty("memory_key").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterDelete.StatusCode);
        Assert.Equal("memory key not found", (await afterDelete.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        // Another job's runs see nothing of it.
        var otherJob = await api.CreateJobAsync(url);
        var (foreign, sdk3) = await StartExecutingRunAsync(otherJob);
        using var ___ = sdk3;
        Assert.Equal(HttpStatusCode.NotFound, (await sdk3.GetAsync($"/sdk/v1/runs/{foreign}/memory/cursor")).StatusCode);
        Assert.Empty((await sdk3.GetFromJsonAsync<JsonElement>($"/sdk/v1/runs/{foreign}/memory")).EnumerateArray());
    }

    [Fact]
    public async Task Memory_Ttl_KeyIsGoneAfterItExpires()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        await using var beat = KeepAlive(sdk, runId);

        var set = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/memory/short", new { value = 1, ttl_secs = 1 });
        var before = await sdk.GetAsync($"/sdk/v1/runs/{runId}/memory/short");
        await Task.Delay(1500);
        var after = await sdk.GetAsync($"/sdk/v1/runs/{runId}/memory/short");

        Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        Assert.True((await set.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("ttl_expires_at", out JsonElement _));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Empty((await sdk.GetFromJsonAsync<JsonElement>($"/sdk/v1/runs/{runId}/memory")).EnumerateArray());
    }

    [Fact]
    public async Task Memory_Limits_AreRefusedAndChangeNothing()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        await using var beat = KeepAlive(sdk, runId);
        var memory = $"/sdk/v1/runs/{runId}/memory";

        var longKey = await sdk.PostAsJsonAsync($"{memory}/{new string('k', 257)}", new { value = 1 });
        var noValue = await sdk.PostAsJsonAsync($"{memory}/k", new { ttl_secs = 5 });
        var badTtl = await sdk.PostAsJsonAsync($"{memory}/k", new { value = 1, ttl_secs = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, longKey.StatusCode);
        Assert.Equal("bad_request", (await longKey.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noValue.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badTtl.StatusCode);

        // The job's total: ten values of ~960 KB fit in 10 MiB, the eleventh does not.
        var big = new string('x', 960_000);
        for (var i = 0; i < 10; i++)
        {
            var ok = await sdk.PostAsJsonAsync($"{memory}/part{i}", new { value = big });
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        var over = await sdk.PostAsJsonAsync($"{memory}/part10", new { value = big });
        var replace = await sdk.PostAsJsonAsync($"{memory}/part0", new { value = big + "y" });

        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        var error = await over.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("quota", error.GetProperty("error").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetString() == "limit_bytes=10485760");
        Assert.Equal(HttpStatusCode.NotFound, (await sdk.GetAsync($"{memory}/part10")).StatusCode);
        // Replacing a key counts its new size instead of the old one.
        Assert.Equal(HttpStatusCode.Created, replace.StatusCode);
        Assert.Equal(10, (await sdk.GetFromJsonAsync<JsonElement>(memory)).GetArrayLength());
    }

    [Fact]
    public async Task Feed_LogProgressAndStream_ArePublishedAsRunFeedBatches()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        await using var beat = KeepAlive(sdk, runId);
        var factory = new ConnectionFactory { Uri = new Uri(platform.RabbitMqConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var exchange = $"{platform.EntityPrefix}:Strait.Contracts.Telemetry:RunFeedBatch";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");

        var log = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "hello feed", level = "warn" });
        var progress = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/progress", new { percent = 50, message = "half" });
        var stream = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { chunk = "tok", stream_id = "llm" });
        var done = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { done = true });
        var badChunk = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { chunk = 5 });

        Assert.Equal(HttpStatusCode.Created, log.StatusCode);
        Assert.Equal(HttpStatusCode.Created, progress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("ok", (await stream.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badChunk.StatusCode);

        var entries = new List<JsonElement>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (entries.Count(e => e.GetProperty("runId").GetString() == runId) < 4 && DateTime.UtcNow < deadline)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                using var envelope = JsonDocument.Parse(message.Body);
                entries.AddRange(envelope.RootElement.GetProperty("message").GetProperty("entries").EnumerateArray().Select(e => e.Clone()));
            }
            else
            {
                await Task.Delay(50);
            }
        }

        var mine = entries.Where(e => e.GetProperty("runId").GetString() == runId).ToList();
        var logEntry = Assert.Single(mine, e => e.GetProperty("kind").GetString() == "log");
        var logData = JsonDocument.Parse(logEntry.GetProperty("data").GetString()!).RootElement;
        Assert.Equal("hello feed", logData.GetProperty("message").GetString());
        Assert.Equal("warn", logData.GetProperty("level").GetString());
        Assert.Equal((await log.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString(), logData.GetProperty("id").GetString());
        var progressData = JsonDocument.Parse(Assert.Single(mine, e => e.GetProperty("kind").GetString() == "progress").GetProperty("data").GetString()!).RootElement;
        Assert.Equal(50, progressData.GetProperty("data").GetProperty("percent").GetDouble());
        var chunks = mine.Where(e => e.GetProperty("kind").GetString() == "stream")
            .Select(e => JsonDocument.Parse(e.GetProperty("data").GetString()!).RootElement).ToList();
        Assert.Equal(2, chunks.Count);
        Assert.Contains(chunks, c => c.GetProperty("chunk").GetString() == "tok" && c.GetProperty("stream_id").GetString() == "llm" && !c.GetProperty("done").GetBoolean());
        Assert.Contains(chunks, c => c.GetProperty("stream_id").GetString() == "default" && c.GetProperty("done").GetBoolean());
        var projectId = (await api.GetRunAsync(runId)).GetProperty("project_id").GetString();
        Assert.All(mine, e => Assert.Equal(projectId, e.GetProperty("projectId").GetString()));
        // Stream chunks are not stored.
        Assert.DoesNotContain(await EventsAsync(runId), e => e.GetProperty("type").GetString() is "stream" or "stream_chunk");
    }

    [Fact]
    public async Task Annotate_IsMergedIntoTheRunsMetadata()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;

        var first = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/annotate", new { annotations = new { team = "a", env = "dev" } });
        var second = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/annotate", new { team = "b" });
        var longKey = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/annotate", new Dictionary<string, string> { [new string('k', 129)] = "v" });
        var longValue = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/annotate", new Dictionary<string, string> { ["k"] = new string('v', 1025) });
        var fifty = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/annotate", Enumerable.Range(0, 50).ToDictionary(i => $"n{i}", i => "v"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longKey.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longValue.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fifty.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement metadata;
        do
        {
            var run = await api.GetRunAsync(runId);
            metadata = run.TryGetProperty("metadata", out var m) ? m : default;
            if (metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("n49", out JsonElement _))
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(JsonValueKind.Object, metadata.ValueKind);
        Assert.Equal("b", metadata.GetProperty("team").GetString());
        Assert.Equal("dev", metadata.GetProperty("env").GetString());
        // The trigger's own keys (trace headers) stay beside the 52 annotations.
        Assert.Equal(50, metadata.EnumerateObject().Count(p => p.Name.StartsWith('n') && p.Name.Length <= 3));
        Assert.False(metadata.TryGetProperty("k", out JsonElement _));
    }

    [Fact]
    public async Task Output_WithSchema_MismatchIs422WithDetailsAndNotStored()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var schema = new
        {
            type = "object",
            required = new[] { "score" },
            properties = new { score = new { type = "number", minimum = 0, maximum = 1 } },
        };

        var valid = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/output", new { output_key = "eval", value = new { score = 0.5 }, schema });
        var wrongType = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/output", new { output_key = "bad", value = new { score = "high" }, schema });
        var missing = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/output", new { output_key = "bad", value = new { }, schema });
        var remoteRef = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/output",
            new { output_key = "bad", value = 1, schema = new Dictionary<string, string> { ["$ref"] = "http://169.254.169.254/schema.json" } });

        Assert.Equal(HttpStatusCode.Created, valid.StatusCode);
        Assert.Equal("object", (await valid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType.StatusCode);
        var error = await wrongType.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("value does not match schema", error.GetProperty("error").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetString()!.StartsWith("value/score:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains((await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").EnumerateArray(),
            d => d.GetString()!.Contains("PropertyRequired", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, remoteRef.StatusCode);
        var outputs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/outputs");
        Assert.Equal("eval", Assert.Single(outputs.GetProperty("data").EnumerateArray()).GetProperty("output_key").GetString());
    }

    [Fact]
    public async Task DebugBundle_HoldsTheRunAndAllItsTelemetry()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var run = $"/sdk/v1/runs/{runId}";
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/log", new { message = "l" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/checkpoint", new { state = new { c = 1 } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/output", new { output_key = "o", value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/usage", new { provider = "p", model = "m", prompt_tokens = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/tool-call", new { tool_name = "t" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"{run}/resources", new { memory_mb = 100, memory_percent = 10, cpu_percent = 42 })).StatusCode);
        using var otherTenant = await RunApiClient.ForNewTenantAsync(platform);

        var bundle = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/debug-bundle");
        var foreign = await otherTenant.Http.GetAsync($"/v1/runs/{runId}/debug-bundle");
        var unknown = await api.Http.GetAsync($"/v1/runs/{Guid.CreateVersion7()}/debug-bundle");

        Assert.Equal(runId, bundle.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal("executing", bundle.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains(bundle.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "log");
        Assert.Contains(bundle.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "state_change");
        Assert.Equal(1, Assert.Single(bundle.GetProperty("checkpoints").EnumerateArray()).GetProperty("sequence").GetInt32());
        Assert.Equal("o", Assert.Single(bundle.GetProperty("outputs").EnumerateArray()).GetProperty("output_key").GetString());
        Assert.Equal("m", Assert.Single(bundle.GetProperty("usage").EnumerateArray()).GetProperty("model").GetString());
        Assert.Equal("t", Assert.Single(bundle.GetProperty("tool_calls").EnumerateArray()).GetProperty("tool_name").GetString());
        Assert.Equal(42, Assert.Single(bundle.GetProperty("resource_snapshots").EnumerateArray()).GetProperty("cpu_percent").GetDouble());
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Debug_TogglesDebugModeOnTheRun()
    {
        var runId = await api.TriggerAsync(jobId);
        using var otherTenant = await RunApiClient.ForNewTenantAsync(platform);

        var on = await api.Http.PostAsJsonAsync($"/v1/runs/{runId}/debug", new { debug_mode = true });
        var afterOn = (await api.GetRunAsync(runId)).GetProperty("debug_mode").GetBoolean();
        var off = await api.Http.PostAsJsonAsync($"/v1/runs/{runId}/debug", new { debug_mode = false });
        var afterOff = (await api.GetRunAsync(runId)).GetProperty("debug_mode").GetBoolean();
        var invalid = await api.Http.PostAsJsonAsync($"/v1/runs/{runId}/debug", new { debug_mode = "yes" });
        var foreign = await otherTenant.Http.PostAsJsonAsync($"/v1/runs/{runId}/debug", new { debug_mode = true });
        var unknown = await api.Http.PostAsJsonAsync($"/v1/runs/{Guid.CreateVersion7()}/debug", new { debug_mode = true });

        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Equal("ok", (await on.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.True(afterOn);
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False(afterOff);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.False((await api.GetRunAsync(runId)).GetProperty("debug_mode").GetBoolean());
    }

    [Fact]
    public async Task Events_LevelAndTypeFilters_PageWithTheCursor()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = $"w{i}", level = "warn" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = $"i{i}", type = "metric" })).StatusCode);
        }

        var messages = new List<string>();
        var query = "type=log&level=warn&limit=2";
        JsonElement page;
        do
        {
            page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?{query}");
            messages.AddRange(page.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("message").GetString()!));
            query = page.GetProperty("has_more").GetBoolean()
                ? "type=log&level=warn&limit=2&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!)
                : "";
        }
        while (query.Length > 0);

        Assert.Equal(["w0", "w1", "w2", "w3", "w4"], messages);
        var metrics = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?type=metric");
        Assert.Equal(5, metrics.GetProperty("data").GetArrayLength());
        var none = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?type=metric&level=warn");
        Assert.Equal(0, none.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task NewEndpoints_TokenAndStateFailures_Are401_403_409_410()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        using var anonymous = platform.Client();
        var otherRun = Guid.CreateVersion7();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/sdk/v1/runs/{runId}/memory")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { chunk = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sdk.GetAsync($"/sdk/v1/runs/{otherRun}/memory/k")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{otherRun}/stream", new { chunk = "x" })).StatusCode);

        // Paused: the token is current but the run is not active.
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/v1/runs/{runId}/pause", null)).StatusCode);
        await WaitForTimelineAsync(runId, t => t.Contains("executing->paused"));
        var pausedLog = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "m" });
        var pausedMemory = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/memory/k", new { value = 1 });
        var pausedStream = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/stream", new { chunk = "x" });
        Assert.Equal(HttpStatusCode.Conflict, pausedLog.StatusCode);
        Assert.Equal("run is not active for this SDK token", (await pausedLog.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Conflict, pausedMemory.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, pausedStream.StatusCode);

        // Finished: gone.
        var (done, sdk2) = await StartExecutingRunAsync();
        using var __ = sdk2;
        Assert.Equal(HttpStatusCode.OK, (await sdk2.PostAsJsonAsync($"/sdk/v1/runs/{done}/complete", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await sdk2.GetAsync($"/sdk/v1/runs/{done}/memory")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await sdk2.PostAsJsonAsync($"/sdk/v1/runs/{done}/memory/k", new { value = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await sdk2.PostAsJsonAsync($"/sdk/v1/runs/{done}/stream", new { chunk = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await sdk2.PostAsJsonAsync($"/sdk/v1/runs/{done}/progress", new { percent = 1, message = "m" })).StatusCode);
    }

    [Fact]
    public async Task LogsAndProgress_TwoHundredRacingComplete_LeaveAConsistentRun()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;

        var calls = Enumerable.Range(0, 200).Select(i => i % 4 == 0
            ? sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/progress", new { percent = i / 2, message = $"p{i}" })
            : sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = $"line {i}" })).ToList();
        await Task.Delay(5);
        var complete = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { });
        var responses = await Task.WhenAll(calls);
        var late = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/log", new { message = "late" });

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Gone, $"unexpected {r.StatusCode}"));
        var acceptedIds = new HashSet<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
        {
            acceptedIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        await api.WaitForStatusAsync(runId, "completed");
        var stored = new List<JsonElement>();
        var query = "limit=100";
        JsonElement page;
        do
        {
            page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?{query}");
            stored.AddRange(page.GetProperty("data").EnumerateArray());
            query = page.GetProperty("has_more").GetBoolean() ? "limit=100&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!) : "";
        }
        while (query.Length > 0);

        var storedIds = stored.Where(e => e.GetProperty("type").GetString() is "log" or "progress").Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        Assert.Equal(acceptedIds.Order(), storedIds.Order());
        // Nothing was stored after the run's completion was recorded.
        var completedAt = stored.Last(e => e.GetProperty("type").GetString() == "state_change").GetProperty("created_at").GetDateTimeOffset();
        Assert.All(stored.Where(e => e.GetProperty("type").GetString() is "log" or "progress"),
            e => Assert.True(e.GetProperty("created_at").GetDateTimeOffset() <= completedAt.AddSeconds(1)));
    }

    private async Task<(string RunId, HttpClient Sdk)> StartExecutingRunAsync(string? job = null)
    {
        var runId = await api.TriggerAsync(job ?? jobId);
        await api.WaitForStatusAsync(runId, "executing");
        await WaitForTimelineAsync(runId, t => t.Contains("queued->executing"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!endpoint.RequestsTo(url).Any(r => r.Header("X-Run-ID") == runId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} never reached the endpoint");
            await Task.Delay(20);
        }

        var request = Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
        return (runId, platform.Client(request.Header("X-Run-Token")));
    }

    /// <summary>Heartbeats every second until disposed: the test platform's heartbeat timeout is 3 s.</summary>
    private static HeartbeatLoop KeepAlive(HttpClient sdk, string runId) => new(sdk, runId, TimeSpan.FromSeconds(1));

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

    private async Task<List<JsonElement>> EventsAsync(string runId)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?limit=100");
        return page.GetProperty("data").EnumerateArray().ToList();
    }
}
