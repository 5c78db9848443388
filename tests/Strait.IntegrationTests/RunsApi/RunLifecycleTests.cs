using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>Runs from trigger to their end through the gateway: real services, broker, database and a real job endpoint.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RunLifecycleTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task Trigger_EndpointAnswers200_CompletesWithResultHeadersAndTimeline()
    {
        var url = endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { greeting = "hello" }));
        var jobId = await api.CreateJobAsync(url);

        var runId = await api.TriggerAsync(jobId, new { payload = new { b = 2, a = 1 } });

        var run = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal("hello", run.GetProperty("result").GetProperty("greeting").GetString());
        Assert.True(run.GetProperty("execution_trace").GetProperty("total_ms").GetInt64() >= 0);
        var request = Assert.Single(endpoint.RequestsTo(url));
        Assert.Equal(runId, request.Header("X-Run-ID"));
        Assert.Equal(jobId, request.Header("X-Job-ID"));
        Assert.Equal("1", request.Header("X-Attempt"));
        Assert.NotEmpty(request.Header("X-Run-Token"));
        Assert.Equal("""{"a":1,"b":2}""", Encoding.UTF8.GetString(request.Body));
        Assert.Equal(["->queued", "queued->executing", "executing->completed"], await WaitForTimelineAsync(runId, 3));
    }

    [Fact]
    public async Task Trigger_EndpointAnswers202_CompletesThroughTheSdkWithItsRunToken()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url);
        var runId = await api.TriggerAsync(jobId);
        await WaitForRequestsAsync(url, 1);
        await api.WaitForStatusAsync(runId, "executing");
        var token = endpoint.RequestsTo(url)[0].Header("X-Run-Token");
        using var sdk = platform.Client(token);

        var heartbeat = await sdk.PostAsync($"/sdk/v1/runs/{runId}/heartbeat", null);
        var otherRun = await sdk.PostAsync($"/sdk/v1/runs/{Guid.CreateVersion7()}/heartbeat", null);
        var complete = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { result = new { rows = 3 } });
        var afterwards = await sdk.PostAsync($"/sdk/v1/runs/{runId}/heartbeat", null);

        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherRun.StatusCode);
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, afterwards.StatusCode);
        var run = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal(3, run.GetProperty("result").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Trigger_Endpoint5xx_RetriedThenDeadLetter_ThenDlqReplayCompletes()
    {
        var healthy = false;
        var url = endpoint.Route(c =>
        {
            c.Response.StatusCode = Volatile.Read(ref healthy) ? 200 : 503;
            return Task.CompletedTask;
        });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 2 });
        var runId = await api.TriggerAsync(jobId);

        var dead = await api.WaitForStatusAsync(runId, "dead_letter");
        Assert.Equal(2, dead.GetProperty("attempt").GetInt32());
        Assert.Equal("server", dead.GetProperty("error_class").GetString());
        Assert.Equal(2, endpoint.RequestsTo(url).Count);
        Assert.Equal("endpoint returned 503", endpoint.RequestsTo(url)[1].Header("X-Previous-Error"));
        var dlq = await api.Http.GetFromJsonAsync<JsonElement>("/v1/runs/dlq");
        Assert.Contains(dlq.GetProperty("data").EnumerateArray(), r => r.GetProperty("id").GetString() == runId);

        Volatile.Write(ref healthy, true);
        var replay = await api.Http.PostAsync($"/v1/runs/{runId}/dlq-replay", null);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var completed = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal(1, completed.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Trigger_EndpointBusy_JobsFallbackEndpointCompletesTheRunInTheSameAttempt()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 429; return Task.CompletedTask; });
        var fallback = endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { served_by = "fallback" }));
        var jobId = await api.CreateJobAsync(url, new { fallback_endpoint_url = fallback });

        var runId = await api.TriggerAsync(jobId);

        var completed = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal("fallback", completed.GetProperty("result").GetProperty("served_by").GetString());
        Assert.Equal(1, completed.GetProperty("attempt").GetInt32());
        Assert.Single(endpoint.RequestsTo(url));
        Assert.Equal(runId, Assert.Single(endpoint.RequestsTo(fallback)).Header("X-Run-ID"));
    }

    [Fact]
    public async Task Trigger_Endpoint4xx_IsPermanentAfterOneCall()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 422; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 5 });

        var runId = await api.TriggerAsync(jobId);

        var dead = await api.WaitForStatusAsync(runId, "dead_letter");
        Assert.Equal("client", dead.GetProperty("error_class").GetString());
        await Task.Delay(300);
        Assert.Single(endpoint.RequestsTo(url));
    }

    [Fact]
    public async Task Trigger_ScheduledAt_StaysDelayedThenFiresOnTime()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);
        var at = DateTimeOffset.UtcNow.AddSeconds(2);

        var runId = await api.TriggerAsync(jobId, new { scheduled_at = at });

        Assert.Equal("delayed", (await api.GetRunAsync(runId)).GetProperty("status").GetString());
        await api.WaitForStatusAsync(runId, "completed");
        var received = Assert.Single(endpoint.RequestsTo(url)).ReceivedAt;
        Assert.InRange(received, at.AddMilliseconds(-50), at.AddSeconds(2));
    }

    [Fact]
    public async Task Cancel_DelayedRun_NeverReachesTheEndpoint()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);
        var runId = await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddSeconds(2) });

        var cancel = await api.Http.DeleteAsync($"/v1/runs/{runId}");
        var again = await api.Http.DeleteAsync($"/v1/runs/{runId}");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        await Task.Delay(3000);
        Assert.Empty(endpoint.RequestsTo(url));
        Assert.Equal("canceled", (await api.GetRunAsync(runId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Trigger_SameIdempotencyKey_ReturnsTheFirstRun()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/jobs/{jobId}/trigger") { Content = JsonContent.Create(new { payload = new { } }) };
            request.Headers.Add("Idempotency-Key", "order-42");
            var response = await api.Http.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.OK && r.Body.GetProperty("idempotency_hit").GetBoolean()));
        Assert.Single(responses.Select(r => r.Body.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task ManyTriggers_MaxConcurrencyIsNeverExceeded_AndWaitReasonIsVisible()
    {
        var url = endpoint.Route(async c => await Task.Delay(300));
        var jobId = await api.CreateJobAsync(url, new { max_concurrency = 2 });

        var runIds = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => api.TriggerAsync(jobId)));
        var reasons = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}&limit=100");
            var runs = page.GetProperty("data").EnumerateArray().ToList();
            foreach (var run in runs.Where(r => r.TryGetProperty("wait_reason", out _)))
            {
                reasons.Add(run.GetProperty("wait_reason").GetString()!);
            }

            if (runs.All(r => r.GetProperty("status").GetString() == "completed"))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(50, endpoint.RequestsTo(url).Count);
        Assert.True(endpoint.MaxConcurrency(url) <= 2, $"saw {endpoint.MaxConcurrency(url)} calls at once");
        Assert.Contains("job_concurrency 2/2", reasons);
        foreach (var runId in runIds)
        {
            await api.WaitForStatusAsync(runId, "completed");
        }
    }

    [Fact]
    public async Task Trigger_EndpointSlowerThanTimeout_TimesOut()
    {
        var url = endpoint.Route(async c => await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted));
        var jobId = await api.CreateJobAsync(url, new { timeout_secs = 1, max_attempts = 1 });

        var runId = await api.TriggerAsync(jobId);

        var run = await api.WaitForStatusAsync(runId, "timed_out");
        Assert.Equal("timeout", run.GetProperty("error_class").GetString());
    }

    [Fact]
    public async Task Accepted_WithoutHeartbeats_Crashes()
    {
        var url = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 1 });

        var runId = await api.TriggerAsync(jobId);

        var run = await api.WaitForStatusAsync(runId, "crashed", TimeSpan.FromSeconds(30));
        Assert.Equal("heartbeat lost", run.GetProperty("error").GetString());
    }

    [Fact]
    public async Task BadInput_IsRefusedWithTheDocumentedStatusAndChangesNothing()
    {
        var url = endpoint.Route(c => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);

        var malformed = await api.Http.PostAsync($"/v1/jobs/{jobId}/trigger", new StringContent("{\"payload\":", Encoding.UTF8, "application/json"));
        var unknownJob = await api.Http.PostAsJsonAsync($"/v1/jobs/{Guid.CreateVersion7()}/trigger", new { });
        var badPriority = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { priority = 11 });
        var past = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { scheduled_at = DateTimeOffset.UtcNow.AddHours(-1) });
        var tooBig = await api.Http.PostAsync($"/v1/jobs/{jobId}/trigger",
            new StringContent("{\"payload\":\"" + new string('x', 1_100_000) + "\"}", Encoding.UTF8, "application/json"));
        var unknownRun = await api.Http.GetAsync($"/v1/runs/{Guid.CreateVersion7()}");
        using var forged = platform.Client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
        var badToken = await forged.PostAsync($"/sdk/v1/runs/{Guid.CreateVersion7()}/complete", null);

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPriority.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        foreach (var response in new[] { malformed, unknownJob, badPriority, past, tooBig, unknownRun, badToken })
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(string.IsNullOrEmpty(body.GetProperty("code").GetString()));
        }

        var runs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}");
        Assert.Equal(0, runs.GetProperty("data").GetArrayLength());
        Assert.Empty(endpoint.RequestsTo(url));
    }

    private async Task WaitForRequestsAsync(string url, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (endpoint.RequestsTo(url).Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(endpoint.RequestsTo(url).Count >= count);
    }

    private async Task<List<string>> WaitForTimelineAsync(string runId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<string> timeline;
        do
        {
            timeline = await api.TimelineAsync(runId);
            if (timeline.Count >= count)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return timeline;
    }
}
