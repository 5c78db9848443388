using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>
/// The job fields of routes.md §3.1 beyond the basics: cron (through the real cron scheduler of runs-api), payload and
/// result schemas, payload dedup, default run metadata, and the stored-only fields with their limits.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class JobFieldsTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task Cron_DueJob_FiresRunsTriggeredByCronAtEachDueTime()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url, new { cron = "* * * * *", timezone = "Europe/Paris" });
        var job = await GetJobAsync(jobId);
        var next = job.GetProperty("next_run_at").GetDateTimeOffset();
        Assert.InRange(next - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(61));
        Assert.Equal(0, next.Second);

        // Each due time is brought to now rather than waited for: the scheduler sees an ordinary due job.
        await MakeDueAsync(jobId);
        var first = await WaitForCronRunsAsync(jobId, 1);
        var advanced = (await GetJobAsync(jobId)).GetProperty("next_run_at").GetDateTimeOffset();
        Assert.True(advanced > DateTimeOffset.UtcNow.AddSeconds(-1), $"next_run_at {advanced} was not moved on");
        await MakeDueAsync(jobId);
        var both = await WaitForCronRunsAsync(jobId, 2);

        Assert.Contains(first[0], both);
        foreach (var runId in both)
        {
            var run = await api.WaitForStatusAsync(runId, "completed");
            Assert.Equal("cron", run.GetProperty("triggered_by").GetString());
            Assert.Equal("system:cron", run.GetProperty("created_by").GetString());
        }

        Assert.Equal(2, endpoint.RequestsTo(url).Count);
    }

    [Fact]
    public async Task Cron_SkipPolicy_SkipsTheTickWhileARunIsActive()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { cron = "0 0 1 1 *", cron_overlap_policy = "skip" });
        await MakeDueAsync(jobId);
        var running = (await WaitForCronRunsAsync(jobId, 1))[0];
        await api.WaitForStatusAsync(running, "executing");

        await MakeDueAsync(jobId);
        await WaitForTickAsync(jobId);

        Assert.Single(await CronRunsAsync(jobId));
        Assert.Equal("executing", (await api.GetRunAsync(running)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cron_CancelRunningPolicy_StartsTheNewRunAndCancelsTheActiveOne()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { cron = "0 0 1 1 *", cron_overlap_policy = "cancel_running" });
        await MakeDueAsync(jobId);
        var old = (await WaitForCronRunsAsync(jobId, 1))[0];
        await api.WaitForStatusAsync(old, "executing");

        await MakeDueAsync(jobId);
        var runs = await WaitForCronRunsAsync(jobId, 2);

        await api.WaitForStatusAsync(old, "canceled");
        await api.WaitForStatusAsync(runs.Single(r => r != old), "executing");
    }

    [Fact]
    public async Task Cron_PausedJobDoesNotFire_ResumeContinuesFromNow_EmptyCronClearsTheSchedule()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url, new { cron = "0 0 1 1 *" });
        await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/pause", new { });
        await MakeDueAsync(jobId);

        await Task.Delay(2500);
        Assert.Empty(await CronRunsAsync(jobId));

        var resumed = await (await api.Http.PostAsync($"/v1/jobs/{jobId}/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(resumed.GetProperty("next_run_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(1));
        var cleared = await api.Http.PatchAsJsonAsync($"/v1/jobs/{jobId}", new { cron = "" });
        var job = await cleared.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.False(job.TryGetProperty("cron", out _));
        Assert.False(job.TryGetProperty("next_run_at", out _));
        Assert.Empty(await CronRunsAsync(jobId));
    }

    [Fact]
    public async Task PayloadSchema_TriggerPayloadsAreChecked_BulkToo()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new
        {
            payload_schema = new { type = "object", required = new[] { "n" }, properties = new { n = new { type = "integer" } } },
        });

        var bad = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = "one" } });
        var missing = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { m = 1 } });
        var good = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } });
        var bulk = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk",
            new { items = new object[] { new { payload = new { n = 2 } }, new { payload = new { n = false } } } });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var error = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Contains(error.GetProperty("details").EnumerateArray(), d => d.GetString() == "payload/n: IntegerExpected");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bulk.StatusCode);
        Assert.Contains((await bulk.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").EnumerateArray(),
            d => d.GetString()!.StartsWith("items[1].payload", StringComparison.Ordinal));
        var runs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}");
        Assert.Single(runs.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task ResultSchema_CompleteWithAResultItRefuses_Is422AndChangesNothing()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new
        {
            result_schema = new { type = "object", required = new[] { "rows" }, properties = new { rows = new { type = "integer" } } },
        });
        var runId = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(runId, "executing");
        using var sdk = platform.Client(endpoint.RequestsTo(url)[0].Header("X-Run-Token"));

        var refused = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { result = new { rows = "many" } });
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("result_schema_validation_failed", error.GetProperty("code").GetString());
        Assert.NotEmpty(error.GetProperty("details").EnumerateArray());
        Assert.Equal("executing", (await api.GetRunAsync(runId)).GetProperty("status").GetString());

        var accepted = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { result = new { rows = 3 } });

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var run = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal(3, run.GetProperty("result").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Dedup_SamePayloadInsideTheWindow_ReturnsTheSameRun_EvenConcurrently()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new { dedup_window_secs = 300 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { order = 42, lines = new[] { 1, 2 } } })));
        var reordered = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { lines = new[] { 1, 2 }, order = 42 } });
        var other = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { order = 43 } });

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var bodies = await Task.WhenAll(answers.Append(reordered).Select(a => a.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Single(bodies.Select(b => b.GetProperty("id").GetString()).Distinct());
        Assert.All(bodies, b => Assert.False(b.GetProperty("idempotency_hit").GetBoolean()));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var runs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}");
        Assert.Equal(2, runs.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Dedup_NoWindow_EveryTriggerIsANewRun()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run");

        var first = await api.TriggerAsync(jobId);
        var second = await api.TriggerAsync(jobId);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task DefaultRunMetadata_FillsWhatTheRunDoesNotSet()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new
        {
            default_run_metadata = new Dictionary<string, string> { ["team"] = "core", ["baggage"] = "job-default" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/jobs/{jobId}/trigger") { Content = JsonContent.Create(new { }) };
        request.Headers.TryAddWithoutValidation("baggage", "run=own");

        var response = await api.Http.SendAsync(request);

        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var metadata = (await api.GetRunAsync(runId)).GetProperty("metadata");
        Assert.Equal("core", metadata.GetProperty("team").GetString());
        // The telemetry layer may re-serialise baggage ("run = own"): what matters is that the run's own value won.
        Assert.Matches("^run ?= ?own$", metadata.GetProperty("baggage").GetString());
    }

    [Fact]
    public async Task StoredFields_AreReturnedPatchedAndVersioned()
    {
        var created = await api.Http.PostAsJsonAsync("/v1/jobs", new
        {
            name = "j", slug = "j-" + Guid.NewGuid().ToString("N")[..8], endpoint_url = "http://example.com/run",
            queue_name = "emails", retry_priority_boost = 0, poison_pill_threshold = 3, version_policy = "minor",
            execution_mode = "http", cron_overlap_policy = "skip", dedup_window_secs = 30,
        });
        var job = await created.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = job.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("emails", job.GetProperty("queue").GetString());
        Assert.Equal(1, job.GetProperty("retry_priority_boost").GetInt32());
        Assert.Equal(3, job.GetProperty("poison_pill_threshold").GetInt32());
        Assert.Equal("minor", job.GetProperty("version_policy").GetString());
        Assert.Equal("http", job.GetProperty("execution_mode").GetString());
        Assert.Equal("skip", job.GetProperty("cron_overlap_policy").GetString());
        Assert.Equal(30, job.GetProperty("dedup_window_secs").GetInt32());

        var patched = await (await api.Http.PatchAsJsonAsync($"/v1/jobs/{jobId}",
            new { queue_name = "", retry_priority_boost = 7, poison_pill_threshold = (int?)null, version_policy = "" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("default", patched.GetProperty("queue").GetString());
        Assert.Equal(7, patched.GetProperty("retry_priority_boost").GetInt32());
        Assert.False(patched.TryGetProperty("poison_pill_threshold", out _));
        Assert.Equal("pin", patched.GetProperty("version_policy").GetString());
        Assert.Equal(30, patched.GetProperty("dedup_window_secs").GetInt32());
        var versions = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/versions");
        var first = versions.GetProperty("data")[1].GetProperty("definition");
        Assert.Equal("emails", first.GetProperty("queue").GetString());
        Assert.Equal(3, first.GetProperty("poison_pill_threshold").GetInt32());
    }

    [Theory]
    [InlineData("""{"cron":"* * * *"}""", "cron:")]
    [InlineData("""{"cron":"*/5 * * * * *"}""", "cron:")]
    [InlineData("""{"cron":"0 25 * * *"}""", "cron:")]
    [InlineData("""{"cron":"* * * * *","timezone":"Moon/Base"}""", "timezone:")]
    [InlineData("""{"cron_overlap_policy":"queue"}""", "cron_overlap_policy:")]
    [InlineData("""{"payload_schema":{"type":"strnig"}}""", "payload_schema:")]
    [InlineData("""{"payload_schema":[1]}""", "payload_schema:")]
    [InlineData("""{"result_schema":{"$ref":"http://example.com/s.json"}}""", "result_schema:")]
    [InlineData("""{"dedup_window_secs":-1}""", "dedup_window_secs:")]
    [InlineData("""{"queue_name":"no spaces"}""", "queue_name:")]
    [InlineData("""{"retry_priority_boost":11}""", "retry_priority_boost:")]
    [InlineData("""{"poison_pill_threshold":0}""", "poison_pill_threshold:")]
    [InlineData("""{"version_policy":"newest"}""", "version_policy:")]
    [InlineData("""{"execution_mode":"worker"}""", "execution_mode: worker execution mode is not supported")]
    [InlineData("""{"default_run_metadata":{"":"v"}}""", "default_run_metadata:")]
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
        Assert.Equal(1, (await GetJobAsync(jobId)).GetProperty("version").GetInt32());
    }

    private async Task<JsonElement> GetJobAsync(string jobId) => await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");

    private Task MakeDueAsync(string jobId) =>
        Sql.ExecuteAsync(platform.PostgresConnectionString, $"UPDATE runs.jobs SET next_run_at = now() WHERE id = '{jobId}'");

    private async Task<List<string>> CronRunsAsync(string jobId)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}&triggered_by=cron");
        return page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
    }

    private async Task<List<string>> WaitForCronRunsAsync(string jobId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<string> runs;
        do
        {
            runs = await CronRunsAsync(jobId);
            if (runs.Count >= count)
            {
                return runs;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"job {jobId} has {runs.Count} cron run(s), expected {count}");
    }

    // The scheduler has handled the tick once next_run_at is in the future again.
    private async Task WaitForTickAsync(string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if ((await GetJobAsync(jobId)).GetProperty("next_run_at").GetDateTimeOffset() > DateTimeOffset.UtcNow)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"job {jobId} was not ticked");
    }
}
