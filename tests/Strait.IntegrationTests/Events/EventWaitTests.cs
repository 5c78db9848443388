using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;
using Strait.IntegrationTests.RunsApi;

namespace Strait.IntegrationTests.Events;

/// <summary>
/// SDK wait-for-event and the events API through the gateway, with a real job endpoint: the first delivery answers 202
/// (the test, as the job code, parks the run with its token); a delivery resumed by an event carries <c>X-Event-Key</c>,
/// reads the payload back through the SDK state plane with its fresh token and completes the run with it.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class EventWaitTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private Tenant tenant = null!;
    private string url = null!;
    private string jobId = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        tenant = await platform.CreateTenantAsync();
        api = ClientFor(tenant);
        url = endpoint.Route(HandleAsync);
        jobId = await api.CreateJobAsync(url);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Send_ToAWaitingRun_ResumesTheSameAttemptWithTheEventKeyAndThePayload()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var key = Key("order");

        var wait = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key, timeout_secs = 600 });
        Assert.Equal(HttpStatusCode.OK, wait.StatusCode);
        var waitBody = await wait.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("waiting", waitBody.GetProperty("status").GetString());
        Assert.Equal(key, waitBody.GetProperty("event_key").GetString());
        await api.WaitForStatusAsync(runId, "waiting");
        var trigger = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/{key}");
        Assert.Equal("waiting", trigger.GetProperty("status").GetString());
        Assert.Equal(runId, trigger.GetProperty("job_run_id").GetString());
        Assert.Equal(waitBody.GetProperty("trigger_id").GetString(), trigger.GetProperty("id").GetString());
        Assert.Equal(600, trigger.GetProperty("timeout_secs").GetInt32());

        var send = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = new { paid = 42, by = "card" } });

        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var sent = await send.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("received", sent.GetProperty("status").GetString());
        Assert.Equal(42, sent.GetProperty("response_payload").GetProperty("paid").GetInt32());
        Assert.StartsWith("api-key:", sent.GetProperty("sent_by").GetString());
        var done = await api.WaitForStatusAsync(runId, "completed");
        // The resumed delivery read the payload from the run state with its own token and answered with it.
        Assert.Equal(42, done.GetProperty("result").GetProperty("paid").GetInt32());
        var deliveries = endpoint.RequestsTo(url).Where(r => r.Header("X-Run-ID") == runId).ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.Equal("", deliveries[0].Header("X-Event-Key"));
        Assert.Equal(key, deliveries[1].Header("X-Event-Key"));
        Assert.Equal("1", deliveries[1].Header("X-Attempt"));
        var checkpoints = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/checkpoints");
        var checkpoint = Assert.Single(checkpoints.GetProperty("data").EnumerateArray());
        Assert.Equal("event", checkpoint.GetProperty("source").GetString());
        Assert.Equal("card", checkpoint.GetProperty("state").GetProperty("by").GetString());
        var timeline = await api.TimelineAsync(runId);
        Assert.Contains("executing->waiting", timeline);
        Assert.Contains("waiting->queued", timeline);

        // The same payload again is the same answer; a different one is a conflict and changes nothing.
        var again = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = new { by = "card", paid = 42 } });
        var different = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = new { paid = 43 } });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("event trigger is not in waiting state", (await different.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        var after = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/{key}");
        Assert.Equal(42, after.GetProperty("response_payload").GetProperty("paid").GetInt32());
        Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Event-Key") == key);
    }

    [Fact]
    public async Task Wait_CalledFromInsideTheJobsOwnCall_ParksTheRunAndAnEventResumesIt()
    {
        var key = Key("inside");
        var waits = new System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode>();
        var insideUrl = endpoint.Route(async context =>
        {
            if (context.Request.Headers["X-Event-Key"].ToString().Length > 0)
            {
                await HandleAsync(context);
                return;
            }

            // The durable wait from an HTTP handler: park the run, then answer.
            using var sdk = platform.Client(context.Request.Headers["X-Run-Token"].ToString());
            var wait = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{context.Request.Headers["X-Run-ID"]}/wait-for-event", new { event_key = key });
            waits.Enqueue(wait.StatusCode);
            context.Response.StatusCode = 200;
        });
        var runId = await api.TriggerAsync(await api.CreateJobAsync(insideUrl));

        await api.WaitForStatusAsync(runId, "waiting");
        var send = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = "go" });
        var done = await api.WaitForStatusAsync(runId, "completed");

        Assert.Equal([HttpStatusCode.OK], waits);
        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        Assert.Equal("go", done.GetProperty("result").GetString());
        Assert.Equal(2, endpoint.RequestsTo(insideUrl).Count);
    }

    [Fact]
    public async Task Wait_BeyondTheProjectsActiveTriggerQuota_Is429AndTheRunKeepsExecuting()
    {
        // The test platform allows 5 waiting triggers per project (Strait:Events:MaxActiveTriggersPerProject).
        var keys = new List<string>();
        var leases = new List<HttpClient>();
        for (var i = 0; i < 5; i++)
        {
            var (waitingRun, waitingSdk) = await StartExecutingRunAsync();
            leases.Add(waitingSdk);
            var key = Key($"quota{i}");
            Assert.Equal(HttpStatusCode.OK, (await waitingSdk.PostAsJsonAsync($"/sdk/v1/runs/{waitingRun}/wait-for-event", new { event_key = key })).StatusCode);
            keys.Add(key);
        }

        var (runId, sdk) = await StartExecutingRunAsync();
        leases.Add(sdk);
        var refusedKey = Key("over");
        var refused = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = refusedKey });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("project has reached its limit of 5 active event triggers", error.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/v1/events/{refusedKey}")).StatusCode);
        Assert.Equal("executing", (await api.GetRunAsync(runId)).GetProperty("status").GetString());

        // One received frees a place.
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsJsonAsync($"/v1/events/{keys[0]}/send", new { payload = 1 })).StatusCode);
        var again = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = refusedKey });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task Wait_WithoutAnEvent_TimesOutTheRunAndTheTrigger()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var key = Key("never");

        var wait = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key, timeout_secs = 1 });

        Assert.Equal(HttpStatusCode.OK, wait.StatusCode);
        var run = await api.WaitForStatusAsync(runId, "timed_out");
        Assert.Contains(key, run.GetProperty("error").GetString());
        var trigger = await WaitForTriggerAsync(key, "timed_out");
        Assert.Equal("event trigger timed out", trigger.GetProperty("error").GetString());
        var late = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = new { } });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
    }

    [Fact]
    public async Task Wait_OnAKeyAnotherRunWaitsOn_Is409AndTheRunKeepsExecuting()
    {
        var (first, firstSdk) = await StartExecutingRunAsync();
        var (second, secondSdk) = await StartExecutingRunAsync();
        using var _ = firstSdk;
        using var __ = secondSdk;
        var key = Key("shared");

        var wait = await firstSdk.PostAsJsonAsync($"/sdk/v1/runs/{first}/wait-for-event", new { event_key = key });
        var duplicate = await secondSdk.PostAsJsonAsync($"/sdk/v1/runs/{second}/wait-for-event", new { event_key = key });
        var again = await firstSdk.PostAsJsonAsync($"/sdk/v1/runs/{first}/wait-for-event", new { event_key = Key("other") });

        Assert.Equal(HttpStatusCode.OK, wait.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("event key already in use", (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await api.WaitForStatusAsync(first, "waiting");
        Assert.Equal("executing", (await api.GetRunAsync(second)).GetProperty("status").GetString());
        var waiting = await ListAsync("status=waiting");
        Assert.Equal(first, Assert.Single(waiting, t => t.GetProperty("event_key").GetString() == key).GetProperty("job_run_id").GetString());
        Assert.DoesNotContain(waiting, t => t.GetProperty("job_run_id").GetString() == second);
        Assert.Equal(HttpStatusCode.Created, (await secondSdk.PostAsJsonAsync($"/sdk/v1/runs/{second}/log", new { message = "still mine" })).StatusCode);
    }

    [Fact]
    public async Task SendByPrefix_ResolvesEveryWaitingKeyWithThePrefixAndNoOther()
    {
        var prefix = Key("batch") + "-";
        var runs = new List<string>();
        foreach (var key in new[] { prefix + "1", prefix + "2", Key("unrelated") })
        {
            var (runId, sdk) = await StartExecutingRunAsync();
            using var _ = sdk;
            Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key })).StatusCode);
            await api.WaitForStatusAsync(runId, "waiting");
            runs.Add(runId);
        }

        var send = await api.Http.PostAsJsonAsync($"/v1/events/prefix/{prefix}/send", new { payload = new { go = true } });
        var none = await api.Http.PostAsJsonAsync($"/v1/events/prefix/{Key("nobody")}/send", new { });

        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var body = await send.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("resolved").GetInt32());
        Assert.Equal(new[] { prefix + "1", prefix + "2" }, body.GetProperty("triggers").EnumerateArray().Select(t => t.GetProperty("event_key").GetString()).Order());
        Assert.True((await api.WaitForStatusAsync(runs[0], "completed")).GetProperty("result").GetProperty("go").GetBoolean());
        Assert.True((await api.WaitForStatusAsync(runs[1], "completed")).GetProperty("result").GetProperty("go").GetBoolean());
        Assert.Equal("waiting", (await api.GetRunAsync(runs[2])).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal(0, (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resolved").GetInt32());
    }

    [Fact]
    public async Task Delete_AWaitingTrigger_CancelsTheRunAndOnlyOnce()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var key = Key("cancel");
        Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key })).StatusCode);
        await api.WaitForStatusAsync(runId, "waiting");

        var delete = await api.Http.DeleteAsync($"/v1/events/{key}");
        var again = await api.Http.DeleteAsync($"/v1/events/{key}");
        var send = await api.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = 1 });

        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var canceled = await delete.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("canceled", canceled.GetProperty("status").GetString());
        Assert.Equal("canceled by user", canceled.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, send.StatusCode);
        var run = await api.WaitForStatusAsync(runId, "canceled");
        Assert.Equal("canceled by user", run.GetProperty("error").GetString());
        Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
    }

    [Fact]
    public async Task BadInputs_AreRefusedWithTheDocumentedStatusAndChangeNothing()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        var wait = $"/sdk/v1/runs/{runId}/wait-for-event";
        var before = (await ListAsync("")).Count;
        using var readOnly = platform.Client((await CreateKeyAsync("jobs:read")).GetProperty("key").GetString());

        var noKey = await sdk.PostAsJsonAsync(wait, new { timeout_secs = 10 });
        var control = await sdk.PostAsJsonAsync(wait, new { event_key = "a\nb" });
        var tooLong = await sdk.PostAsJsonAsync(wait, new { event_key = new string('k', 513) });
        var zero = await sdk.PostAsJsonAsync(wait, new { event_key = Key("z"), timeout_secs = 0 });
        var tooBig = await sdk.PostAsJsonAsync(wait, new { event_key = Key("z"), timeout_secs = 2592001 });
        var notify = await sdk.PostAsJsonAsync(wait, new { event_key = Key("z"), notify_url = "ftp://example.com/x" });
        var sendLong = await api.Http.PostAsJsonAsync($"/v1/events/{new string('k', 513)}/send", new { });
        var sendUnknown = await api.Http.PostAsJsonAsync($"/v1/events/{Key("unknown")}/send", new { payload = 1 });
        var sendBadJson = await api.Http.PostAsync($"/v1/events/{Key("unknown")}/send", new StringContent("{not json", Encoding.UTF8, "application/json"));
        var badStatus = await api.Http.GetAsync("/v1/events?status=bogus");
        var badCursor = await api.Http.GetAsync("/v1/events?cursor=nope");
        var forbiddenSend = await readOnly.PostAsJsonAsync($"/v1/events/{Key("x")}/send", new { });
        var forbiddenDelete = await readOnly.DeleteAsync($"/v1/events/{Key("x")}");
        var deleteUnknown = await api.Http.DeleteAsync($"/v1/events/{Key("unknown")}");

        Assert.All(new[] { noKey, control, tooLong, zero, tooBig, notify }, r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Contains((await control.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").EnumerateArray(),
            d => d.GetString()!.StartsWith("event_key:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, sendLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, sendUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, sendBadJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenSend.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleteUnknown.StatusCode);
        Assert.Equal("not_found", (await deleteUnknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(before, (await ListAsync("")).Count);
        Assert.Equal("executing", (await api.GetRunAsync(runId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnotherProject_CannotSeeSendOrCancelATrigger()
    {
        var (runId, sdk) = await StartExecutingRunAsync();
        using var _ = sdk;
        using var other = await RunApiClient.ForNewTenantAsync(platform);
        var key = Key("mine");
        Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key })).StatusCode);

        var get = await other.Http.GetAsync($"/v1/events/{key}");
        var send = await other.Http.PostAsJsonAsync($"/v1/events/{key}/send", new { payload = 1 });
        var prefix = await other.Http.PostAsJsonAsync($"/v1/events/prefix/{key}/send", new { payload = 1 });
        var delete = await other.Http.DeleteAsync($"/v1/events/{key}");
        var list = await other.Http.GetFromJsonAsync<JsonElement>("/v1/events");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, send.StatusCode);
        Assert.Equal(0, (await prefix.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resolved").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Empty(list.GetProperty("data").EnumerateArray());
        Assert.Equal("waiting", (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/{key}")).GetProperty("status").GetString());
        Assert.Equal("waiting", (await api.WaitForStatusAsync(runId, "waiting")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task List_PagesNewestFirstAndFiltersByStatus()
    {
        var keys = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (runId, sdk) = await StartExecutingRunAsync();
            using var _ = sdk;
            var key = Key($"list{i}");
            Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/wait-for-event", new { event_key = key })).StatusCode);
            keys.Add(key);
        }

        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsJsonAsync($"/v1/events/{keys[0]}/send", new { payload = 1 })).StatusCode);

        var first = await api.Http.GetFromJsonAsync<JsonElement>("/v1/events?limit=2&source_type=job_run");
        var second = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events?limit=2&source_type=job_run&cursor={Uri.EscapeDataString(first.GetProperty("next_cursor").GetString()!)}");
        var received = await ListAsync("status=received");
        var workflow = await ListAsync("workflow_run_id=" + Guid.NewGuid());

        Assert.True(first.GetProperty("has_more").GetBoolean());
        var listed = first.GetProperty("data").EnumerateArray().Concat(second.GetProperty("data").EnumerateArray())
            .Select(t => t.GetProperty("event_key").GetString()).ToList();
        Assert.Equal(Enumerable.Reverse(keys), listed);
        Assert.Equal(keys[0], Assert.Single(received).GetProperty("event_key").GetString());
        Assert.Empty(workflow);
    }

    /// <summary>The job: a first delivery answers 202; a delivery resumed by an event answers with the event's payload, read through the SDK.</summary>
    private async Task HandleAsync(HttpContext context)
    {
        var key = context.Request.Headers["X-Event-Key"].ToString();
        if (key.Length == 0)
        {
            context.Response.StatusCode = 202;
            return;
        }

        var runId = context.Request.Headers["X-Run-ID"].ToString();
        using var sdk = platform.Client(context.Request.Headers["X-Run-Token"].ToString());
        var state = await sdk.GetAsync($"/sdk/v1/runs/{runId}/state/{Uri.EscapeDataString("event:" + key)}");
        var value = state.IsSuccessStatusCode ? (await state.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetRawText() : "null";
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(value);
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

    private async Task<JsonElement> WaitForTriggerAsync(string key, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonElement trigger;
        while ((trigger = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/{key}")).GetProperty("status").GetString() != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"trigger {key} is {trigger}, expected {status}");
            await Task.Delay(50);
        }

        return trigger;
    }

    private async Task<List<JsonElement>> ListAsync(string query)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events?limit=100&{query}");
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    private async Task<JsonElement> CreateKeyAsync(params string[] scopes)
    {
        using var admin = platform.InternalClient(tenant.ProjectId);
        return await StraitPlatform.CreateKeyAsync(admin, tenant.ProjectId, scopes);
    }

    private RunApiClient ClientFor(Tenant owner) => new(platform.Client(owner.ApiKey));

    private static string Key(string name) => $"{name}.{Guid.NewGuid():N}"[..24];
}
