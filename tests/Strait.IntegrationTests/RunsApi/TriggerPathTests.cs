using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>
/// The trigger path of semantics §6–§7 beyond the immediate run: execution window, debounce and batching (through the
/// real debounce/batch poller of runs-api, made due in the database), and project run quotas.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class TriggerPathTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private Tenant tenant = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        tenant = await platform.CreateTenantAsync();
        api = Wrap(platform.Client(tenant.ApiKey));
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task ExecutionWindow_OutsideTheWindow_DelaysToTheNextMatchingMinute_InTheJobsTimezone()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new { execution_window_cron = "0 0 1 1 *", timezone = "Asia/Tokyo" });

        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("delayed", body.GetProperty("status").GetString());
        var run = await api.GetRunAsync(body.GetProperty("id").GetString()!);
        // Midnight of 1 January in Tokyo is 15:00 UTC on 31 December.
        var year = DateTime.UtcNow.Month == 12 && DateTime.UtcNow.Day == 31 && DateTime.UtcNow.Hour >= 15 ? DateTime.UtcNow.Year + 1 : DateTime.UtcNow.Year;
        Assert.Equal(new DateTimeOffset(year, 12, 31, 15, 0, 0, TimeSpan.Zero), run.GetProperty("scheduled_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task ExecutionWindow_InsideTheWindow_RunsNow_AndAnEmptyPatchClearsIt()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var open = await api.CreateJobAsync(url, new { execution_window_cron = "* * * * *" });
        var closed = await api.CreateJobAsync(url, new { execution_window_cron = "0 0 1 1 *" });

        var runId = await api.TriggerAsync(open);
        await api.WaitForStatusAsync(runId, "completed");
        var patched = await (await api.Http.PatchAsJsonAsync($"/v1/jobs/{closed}", new { execution_window_cron = "" })).Content.ReadFromJsonAsync<JsonElement>();
        var after = await api.Http.PostAsJsonAsync($"/v1/jobs/{closed}/trigger", new { payload = new { n = 2 } });

        Assert.False(patched.TryGetProperty("execution_window_cron", out _));
        Assert.NotEqual("delayed", (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var versions = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{closed}/versions");
        Assert.Equal("0 0 1 1 *", versions.GetProperty("data")[1].GetProperty("definition").GetProperty("execution_window_cron").GetString());
    }

    [Fact]
    public async Task Debounce_TriggersWithOneKey_FireOnceWithTheLatestTrigger_AfterTheWindow()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url, new { debounce_window_secs = 300 });
        var before = DateTimeOffset.UtcNow;

        var answers = new List<JsonElement>();
        foreach (var n in new[] { 1, 2, 3 })
        {
            var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger",
                new { payload = new { n }, debounce_key = "k", priority = n, tags = new Dictionary<string, string> { ["n"] = n.ToString() } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            answers.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        var other = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 9 }, debounce_key = "other" });
        Assert.All(answers, a => Assert.True(a.GetProperty("debounced").GetBoolean()));
        Assert.True(answers[2].GetProperty("fire_at").GetDateTimeOffset() >= before.AddSeconds(299));
        Assert.Empty(await RunsAsync(jobId));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(platform.PostgresConnectionString, $"SELECT count(*) FROM runs.debounce_entries WHERE job_id = '{jobId}'"));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        await Sql.ExecuteAsync(platform.PostgresConnectionString, $"UPDATE runs.debounce_entries SET fire_at = now() WHERE job_id = '{jobId}' AND key = 'k'");
        var runs = await WaitForRunsAsync(jobId, 1);

        var run = await api.WaitForStatusAsync(runs[0].GetProperty("id").GetString()!, "completed");
        Assert.Equal(3, run.GetProperty("payload").GetProperty("n").GetInt32());
        Assert.Equal(3, run.GetProperty("priority").GetInt32());
        Assert.Equal("3", run.GetProperty("tags").GetProperty("n").GetString());
        Assert.Equal("manual", run.GetProperty("triggered_by").GetString());
        Assert.StartsWith("debounce:", run.GetProperty("idempotency_key").GetString());
        Assert.Single(endpoint.RequestsTo(url));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(platform.PostgresConnectionString, $"SELECT count(*) FROM runs.debounce_entries WHERE job_id = '{jobId}'"));
    }

    [Fact]
    public async Task Debounce_WithoutAKey_IsANormalTrigger()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new { debounce_window_secs = 300 });

        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(body.TryGetProperty("debounced", out _));
        Assert.Single(await RunsAsync(jobId));
    }

    [Fact]
    public async Task Batch_FullBatchDrainsAtOnce_PartialBatchIsFlushedAfterTheWindow()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url, new { batch_window_secs = 300, batch_max_size = 3 });

        var first = await TriggerBodyAsync(jobId, new { payload = new { n = 1 }, batch_key = "a" });
        var second = await TriggerBodyAsync(jobId, new { payload = new { n = 2 }, batch_key = "a" });
        var partial = await TriggerBodyAsync(jobId, new { payload = new { n = 4 }, batch_key = "b" });
        Assert.Empty(await RunsAsync(jobId));
        var full = await TriggerBodyAsync(jobId, new { payload = new { n = 3 }, batch_key = "a" });

        Assert.All(new[] { first, second, partial }, b => Assert.True(b.GetProperty("buffered").GetBoolean()));
        Assert.True(full.GetProperty("batch").GetBoolean());
        var drained = await api.WaitForStatusAsync(full.GetProperty("id").GetString()!, "completed");
        Assert.Equal("""{"items":[{"n":1},{"n":2},{"n":3}]}""", drained.GetProperty("payload").GetRawText().Replace(" ", ""));

        await Sql.ExecuteAsync(platform.PostgresConnectionString,
            $"UPDATE runs.batch_items SET created_at = created_at - interval '1 hour' WHERE job_id = '{jobId}'");
        var runs = await WaitForRunsAsync(jobId, 2);
        var flushed = runs.Single(r => r.GetProperty("id").GetString() != full.GetProperty("id").GetString());
        var flushedRun = await api.WaitForStatusAsync(flushed.GetProperty("id").GetString()!, "completed");
        Assert.Equal("""{"items":[{"n":4}]}""", flushedRun.GetProperty("payload").GetRawText().Replace(" ", ""));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(platform.PostgresConnectionString, $"SELECT count(*) FROM runs.batch_items WHERE job_id = '{jobId}'"));
    }

    [Fact]
    public async Task StoredFields_AreReturnedPatchedAndVersioned()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new { batch_window_secs = 30, batch_max_size = 10 });

        var patched = await (await api.Http.PatchAsJsonAsync($"/v1/jobs/{jobId}",
            new { batch_window_secs = 0, batch_max_size = 0, debounce_window_secs = 15 })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(15, patched.GetProperty("debounce_window_secs").GetInt32());
        Assert.False(patched.TryGetProperty("batch_window_secs", out _));
        var first = (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/versions")).GetProperty("data")[1].GetProperty("definition");
        Assert.Equal(30, first.GetProperty("batch_window_secs").GetInt32());
        Assert.Equal(10, first.GetProperty("batch_max_size").GetInt32());
    }

    [Theory]
    [InlineData("""{"execution_window_cron":"* * * *"}""", "execution_window_cron:")]
    [InlineData("""{"execution_window_cron":"0 25 * * *"}""", "execution_window_cron:")]
    [InlineData("""{"debounce_window_secs":-1}""", "debounce_window_secs:")]
    [InlineData("""{"batch_window_secs":-1}""", "batch_window_secs:")]
    [InlineData("""{"batch_window_secs":5,"batch_max_size":-1}""", "batch_max_size:")]
    [InlineData("""{"batch_window_secs":5,"debounce_window_secs":5}""", "debounce_window_secs: debounce and batch windows are mutually exclusive")]
    public async Task BadField_Returns400OnCreateAndPatch_AndChangesNothing(string fields, string detail)
    {
        var slug = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(fields)!;
        body["name"] = JsonSerializer.SerializeToElement("bad");
        body["slug"] = JsonSerializer.SerializeToElement(slug);
        body["endpoint_url"] = JsonSerializer.SerializeToElement("http://example.com/run");
        var jobId = await api.CreateJobAsync("http://example.com/run");

        var create = await api.Http.PostAsJsonAsync("/v1/jobs", body);
        var patch = await api.Http.PatchAsync($"/v1/jobs/{jobId}", new StringContent(fields, Encoding.UTF8, "application/json"));

        foreach (var response in new[] { create, patch })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("bad_request", error.GetProperty("code").GetString());
            Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetString()!.StartsWith(detail, StringComparison.Ordinal));
        }

        Assert.Equal(0, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs?slug={slug}")).GetProperty("data").GetArrayLength());
        Assert.Equal(1, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task TooLongBufferKeys_Are400_AndBufferNothing()
    {
        var debounce = await api.CreateJobAsync("http://example.com/run", new { debounce_window_secs = 30 });
        var batch = await api.CreateJobAsync("http://example.com/run", new { batch_window_secs = 30 });

        var a = await api.Http.PostAsJsonAsync($"/v1/jobs/{debounce}/trigger", new { debounce_key = new string('k', 257) });
        var b = await api.Http.PostAsJsonAsync($"/v1/jobs/{batch}/trigger", new { batch_key = new string('k', 257) });

        Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, b.StatusCode);
        Assert.Contains("debounce_key:", await a.Content.ReadAsStringAsync());
        Assert.Contains("batch_key:", await b.Content.ReadAsStringAsync());
        Assert.Equal(0L, await Sql.ScalarAsync<long>(platform.PostgresConnectionString,
            $"SELECT (SELECT count(*) FROM runs.debounce_entries WHERE job_id = '{debounce}') + (SELECT count(*) FROM runs.batch_items WHERE job_id = '{batch}')"));
        Assert.Empty(await RunsAsync(debounce));
        Assert.Empty(await RunsAsync(batch));
    }

    [Fact]
    public async Task BulkTrigger_WritesTheRunsASingleTriggerWould_AndTheyRun()
    {
        // The bulk path copies its run and outbox rows (AddedRowsCopy) where the single trigger INSERTs them through EF.
        var url = endpoint.Route(_ => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url, new
        {
            max_attempts = 4,
            retry_strategy = "custom",
            retry_delays_secs = new[] { 1, 5, 30 },
            tags = new Dictionary<string, string> { ["team"] = "data" },
        });
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var item = new
        {
            payload = new { n = 1, s = "ü\"'" },
            tags = new Dictionary<string, string> { ["env"] = "test" },
            scheduled_at = later,
            priority = 3,
            ttl_secs = 7200,
            concurrency_key = "k",
        };
        var single = await api.TriggerAsync(jobId, item);

        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk", new
        {
            items = new object[] { item, new { payload = new { n = 2 }, idempotency_key = "once" }, new { payload = new { n = 3 }, idempotency_key = "once" } },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("created").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(results[1].GetProperty("id").GetString(), results[2].GetProperty("id").GetString());
        var batchRun = await api.GetRunAsync(results[0].GetProperty("id").GetString()!);
        var singleRun = await api.GetRunAsync(single);
        // metadata: a single trigger records the caller's trace headers (traceparent), a bulk trigger does not.
        string[] differ = ["id", "created_at", "updated_at", "batch_id", "expires_at", "metadata"];
        foreach (var property in singleRun.EnumerateObject().Where(p => !differ.Contains(p.Name)))
        {
            Assert.True(batchRun.TryGetProperty(property.Name, out var value), property.Name);
            Assert.Equal(property.Value.GetRawText(), value.GetRawText());
        }

        Assert.Equal("delayed", batchRun.GetProperty("status").GetString());
        Assert.Equal((3, "test", "k"), (batchRun.GetProperty("priority").GetInt32(), batchRun.GetProperty("tags").GetProperty("env").GetString(),
            batchRun.GetProperty("concurrency_key").GetString()));
        Assert.Equal(body.GetProperty("batch_id").GetString(), batchRun.GetProperty("batch_id").GetString());
        Assert.Equal(JsonValueKind.String, batchRun.GetProperty("expires_at").ValueKind);
        // The immediate item's dispatch went out through the copied outbox rows.
        await api.WaitForStatusAsync(results[1].GetProperty("id").GetString()!, "completed");
    }

    [Fact]
    public async Task ProjectQueuedQuota_TriggerAndBulkOverIt_Are429WithRetryAfter_AndLiftingItLetsThemThrough()
    {
        using var admin = platform.InternalClient(tenant.ProjectId);
        var jobId = await api.CreateJobAsync("http://example.com/run");
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var set = await admin.PatchAsJsonAsync($"/v1/projects/{tenant.ProjectId}", new { max_queued_runs = 2 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(2, (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_queued_runs").GetInt32());

        await api.TriggerAsync(jobId, new { scheduled_at = later });
        await api.TriggerAsync(jobId, new { scheduled_at = later });
        var over = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { scheduled_at = later });
        var bulk = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk", new { items = new[] { new { scheduled_at = later } } });

        foreach (var response in new[] { over, bulk })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("rate_limited", error.GetProperty("code").GetString());
            Assert.Contains("max_queued_runs", error.GetProperty("error").GetString());
        }

        Assert.Equal(2, (await RunsAsync(jobId)).Count);
        var cleared = await admin.PatchAsJsonAsync($"/v1/projects/{tenant.ProjectId}", new { max_queued_runs = 0 });
        Assert.False((await cleared.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("max_queued_runs", out _));
        await api.TriggerAsync(jobId, new { scheduled_at = later });
        Assert.Equal(3, (await RunsAsync(jobId)).Count);
    }

    [Fact]
    public async Task ProjectExecutingQuota_WhileARunExecutes_TriggerIs429()
    {
        using var admin = platform.InternalClient(tenant.ProjectId);
        var release = new TaskCompletionSource();
        var url = endpoint.Route(async ctx =>
        {
            await release.Task;
        });
        var jobId = await api.CreateJobAsync(url);
        (await admin.PatchAsJsonAsync($"/v1/projects/{tenant.ProjectId}", new { max_executing_runs = 1 })).EnsureSuccessStatusCode();

        var running = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(running, "executing");
        var over = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 2 } });
        release.SetResult();
        await api.WaitForStatusAsync(running, "completed");

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Contains("max_executing_runs", await over.Content.ReadAsStringAsync());
        Assert.Single(await RunsAsync(jobId));
    }

    [Fact]
    public async Task ProjectPatch_BadQuotaIs400AndChangesNothing_AndAnApiKeyCannotSetQuotas()
    {
        using var admin = platform.InternalClient(tenant.ProjectId);

        var bad = await admin.PatchAsJsonAsync($"/v1/projects/{tenant.ProjectId}", new { max_queued_runs = -1, name = "Renamed" });
        var byKey = await api.Http.PatchAsJsonAsync($"/v1/projects/{tenant.ProjectId}", new { max_queued_runs = 1 });
        var missing = await admin.PatchAsJsonAsync("/v1/projects/no-such-project", new { max_queued_runs = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("max_queued_runs:", await bad.Content.ReadAsStringAsync());
        Assert.True(byKey.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, byKey.StatusCode.ToString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var project = await admin.GetFromJsonAsync<JsonElement>($"/v1/projects/{tenant.ProjectId}");
        Assert.NotEqual("Renamed", project.GetProperty("name").GetString());
        Assert.False(project.TryGetProperty("max_queued_runs", out _));
    }

    private static RunApiClient Wrap(HttpClient http) => new(http);

    private async Task<JsonElement> TriggerBodyAsync(string jobId, object body)
    {
        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> RunsAsync(string jobId) =>
        [.. (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}")).GetProperty("data").EnumerateArray()];

    private async Task<List<JsonElement>> WaitForRunsAsync(string jobId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var runs = await RunsAsync(jobId);
            if (runs.Count >= count)
            {
                return runs;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"job {jobId} did not get {count} run(s)");
    }
}
