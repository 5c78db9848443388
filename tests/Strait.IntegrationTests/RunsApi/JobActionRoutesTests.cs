using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>Clone, batch create / enable / disable, health and endpoint routes of a job, through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public sealed class JobActionRoutesTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private RunApiClient other = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        api = await RunApiClient.ForNewTenantAsync(platform);
        other = await RunApiClient.ForNewTenantAsync(platform);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        other.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Clone_CopiesTheSettingsUnderANewSlug_AndRefusesBadInputAndForeignJobs()
    {
        var jobId = await api.CreateJobAsync("http://example.com/run", new { max_attempts = 7, tags = new { team = "a" }, retry_delays_secs = new[] { 2, 4 } });
        var source = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");

        var noSlug = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/clone", new { name = "copy" });
        var taken = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/clone", new { name = "copy", slug = source.GetProperty("slug").GetString() });
        var foreign = await other.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/clone", new { name = "copy", slug = "stolen" });
        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/clone", new { name = "copy", slug = "copy-1" });

        Assert.Equal(HttpStatusCode.BadRequest, noSlug.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(0, (await other.Http.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var clone = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(jobId, clone.GetProperty("id").GetString());
        Assert.Equal(("copy", "copy-1", 7, 1), (clone.GetProperty("name").GetString(), clone.GetProperty("slug").GetString(),
            clone.GetProperty("max_attempts").GetInt32(), clone.GetProperty("version").GetInt32()));
        Assert.Equal("a", clone.GetProperty("tags").GetProperty("team").GetString());
        Assert.Equal(1, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{clone.GetProperty("id").GetString()}/versions")).GetProperty("data").GetArrayLength());
        Assert.Equal(2, (await api.Http.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task BatchCreate_ReportsBadItemsByIndex_AndCreatesTheRest()
    {
        var response = await api.Http.PostAsJsonAsync("/v1/jobs/batch", new
        {
            jobs = new object[]
            {
                new { name = "one", slug = "one", endpoint_url = "http://example.com/1" },
                new { name = "bad", slug = "bad", endpoint_url = "http://169.254.169.254/latest" },
                new { name = "dup", slug = "one", endpoint_url = "http://example.com/3" },
                new { name = "two", slug = "two", endpoint_url = "http://example.com/2", max_attempts = 5 },
            },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["one", "two"], body.GetProperty("created").EnumerateArray().Select(j => j.GetProperty("slug").GetString()));
        Assert.Equal([1, 2], body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()));
        Assert.Equal(2, (await api.Http.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task BatchCreate_EveryItemBadOrWrongSize_Is4xxAndCreatesNothing()
    {
        var allBad = await api.Http.PostAsJsonAsync("/v1/jobs/batch", new { jobs = new[] { new { name = "x" } } });
        var none = await api.Http.PostAsJsonAsync("/v1/jobs/batch", new { jobs = Array.Empty<object>() });
        var tooMany = await api.Http.PostAsJsonAsync("/v1/jobs/batch",
            new { jobs = Enumerable.Range(0, 51).Select(i => new { name = "j", slug = $"j{i}", endpoint_url = "http://example.com/j" }) });

        Assert.Equal(HttpStatusCode.BadRequest, allBad.StatusCode);
        var body = await allBad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("created").GetArrayLength());
        Assert.Equal(0, body.GetProperty("errors")[0].GetProperty("index").GetInt32());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(0, (await api.Http.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task BatchDisableAndEnable_ChangeOnlyTheCallersJobs()
    {
        var (a, b) = (await api.CreateJobAsync("http://example.com/a"), await api.CreateJobAsync("http://example.com/b"));
        var foreign = await other.CreateJobAsync("http://example.com/f");

        var disabled = await api.Http.PostAsJsonAsync("/v1/jobs/batch-disable", new { ids = new[] { a, b, foreign, "nope" } });
        var trigger = await api.Http.PostAsJsonAsync($"/v1/jobs/{a}/trigger", new { });
        var foreignTrigger = await other.Http.PostAsJsonAsync($"/v1/jobs/{foreign}/trigger", new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1) });
        var enabled = await api.Http.PostAsJsonAsync("/v1/jobs/batch-enable", new { ids = new[] { a } });
        var empty = await api.Http.PostAsJsonAsync("/v1/jobs/batch-enable", new { ids = Array.Empty<string>() });
        var tooMany = await api.Http.PostAsJsonAsync("/v1/jobs/batch-enable", new { ids = Enumerable.Range(0, 51).Select(_ => a) });

        Assert.Equal(2, (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("updated").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, trigger.StatusCode);
        Assert.Equal(HttpStatusCode.Created, foreignTrigger.StatusCode);
        Assert.Equal(1, (await enabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("updated").GetInt32());
        Assert.True((await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{a}")).GetProperty("enabled").GetBoolean());
        Assert.False((await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{b}")).GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Health_CountsTheJobsRunsInTheWindow()
    {
        var url = endpoint.Route(_ => Task.CompletedTask);
        var failUrl = endpoint.Route(c => { c.Response.StatusCode = 422; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 1 });
        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await api.TriggerAsync(jobId));
        }

        foreach (var run in runs)
        {
            await api.WaitForStatusAsync(run, "completed");
        }

        var patched = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { endpoint_url = failUrl });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await api.WaitForStatusAsync(await api.TriggerAsync(jobId), "dead_letter");
        var delayed = await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1) });
        await api.Http.DeleteAsync($"/v1/runs/{delayed}");

        var health = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/health?window=1h");
        var byDefault = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/health");
        var badWindow = await api.Http.GetAsync($"/v1/jobs/{jobId}/health?window=2h");
        var foreign = await other.Http.GetAsync($"/v1/jobs/{jobId}/health");

        Assert.Equal(("1h", 5, 3, 1, 1), (health.GetProperty("window").GetString(), health.GetProperty("total_runs").GetInt32(),
            health.GetProperty("completed_runs").GetInt32(), health.GetProperty("failed_runs").GetInt32(), health.GetProperty("canceled_runs").GetInt32()));
        Assert.Equal(0.75, health.GetProperty("success_rate").GetDouble());
        Assert.Equal(75, health.GetProperty("health_score").GetInt32());
        Assert.True(health.GetProperty("avg_duration_secs").GetDouble() > 0);
        Assert.True(health.GetProperty("p99_duration_secs").GetDouble() >= health.GetProperty("p95_duration_secs").GetDouble());
        Assert.Equal("7d", byDefault.GetProperty("window").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badWindow.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task SetEndpoint_RotatesTheSecretOnce_RecordsAVersion_AndRefusesBadUrlsAndForeignJobs()
    {
        var jobId = await api.CreateJobAsync("http://example.com/old");

        var ssrf = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { endpoint_url = "http://169.254.169.254/latest" });
        var missing = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { fallback_endpoint_url = "http://example.com/f" });
        var foreign = await other.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { endpoint_url = "http://example.com/evil" });
        var plain = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { endpoint_url = "http://example.com/new", fallback_endpoint_url = "http://example.com/fb" });
        var rotated = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/endpoint", new { endpoint_url = "http://example.com/new", rotate_signing_secret = true });

        Assert.Equal(HttpStatusCode.BadRequest, ssrf.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var plainBody = await plain.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(plainBody.TryGetProperty("signing_secret", out _));
        Assert.Equal("http://example.com/new", plainBody.GetProperty("job").GetProperty("endpoint_url").GetString());
        Assert.Equal("http://example.com/fb", plainBody.GetProperty("job").GetProperty("fallback_endpoint_url").GetString());
        var rotatedBody = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("whsec_", rotatedBody.GetProperty("signing_secret").GetString());
        Assert.Equal(3, rotatedBody.GetProperty("job").GetProperty("version").GetInt32());
        Assert.Equal(3, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/versions")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task VerifyEndpoint_SendsASignedTestRequestAndReportsTheAnswer()
    {
        const string secret = "verify-secret-0123456789";
        var url = endpoint.Route(c => { c.Response.StatusCode = 204; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { endpoint_signing_secret = secret });
        var failingUrl = endpoint.Route(c => { c.Response.StatusCode = 503; return Task.CompletedTask; });
        var failingJob = await api.CreateJobAsync(failingUrl);
        var unreachableJob = await api.CreateJobAsync($"http://127.0.0.1:{FreePort.Next()}/job");

        var ok = await api.Http.PostAsync($"/v1/jobs/{jobId}/endpoint/verify", null);
        var failing = await api.Http.PostAsync($"/v1/jobs/{failingJob}/endpoint/verify", null);
        var unreachable = await api.Http.PostAsync($"/v1/jobs/{unreachableJob}/endpoint/verify", null);
        var foreign = await other.Http.PostAsync($"/v1/jobs/{jobId}/endpoint/verify", null);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(204, body.GetProperty("status_code").GetInt32());
        Assert.True(body.GetProperty("latency_ms").GetInt64() >= 1);
        var request = Assert.Single(endpoint.RequestsTo(url));
        Assert.Equal("1", request.Header("X-Strait-Verify"));
        var timestamp = long.Parse(request.Header("X-Strait-Timestamp"), System.Globalization.CultureInfo.InvariantCulture);
        var expected = "v1=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret),
            (byte[])[.. System.Text.Encoding.ASCII.GetBytes($"{timestamp}."), .. request.Body]));
        Assert.Equal(expected, request.Header("X-Strait-Signature"));
        var failed = await failing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((false, 503, "endpoint returned 503"), (failed.GetProperty("success").GetBoolean(), failed.GetProperty("status_code").GetInt32(),
            failed.GetProperty("error").GetString()));
        var refused = await unreachable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.False(refused.TryGetProperty("status_code", out _));
        Assert.StartsWith("connection failed", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        // Verification runs nothing: no run was created.
        Assert.Equal(0, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}")).GetProperty("data").GetArrayLength());
    }
}
