using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;
using Strait.IntegrationTests.RunsApi;

namespace Strait.IntegrationTests.SdkIngest;

/// <summary>
/// SDK <c>/spawn</c> and <c>/continue</c> through the gateway with real runs and job endpoints, and the management reads
/// of what they create (<c>/children</c>, <c>/lineage</c>).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SdkLineageTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private string projectId = null!;
    private string parentUrl = null!;
    private string parentJobId = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        var tenant = await platform.CreateTenantAsync();
        projectId = tenant.ProjectId;
        api = ClientFor(tenant);
        parentUrl = endpoint.Route(c => { c.Response.StatusCode = 202; return Task.CompletedTask; });
        parentJobId = await api.CreateJobAsync(parentUrl);
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task Spawn_ChildCompletes_IsListedAsTheParentsChild()
    {
        var childUrl = endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { child = "done" }));
        var (childJobId, childSlug) = await CreateJobAsync(api, childUrl);
        var (parentId, sdk) = await StartExecutingRunAsync(parentJobId, parentUrl);
        using var lease = sdk;

        var spawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{parentId}/spawn", new { job_slug = childSlug, project_id = projectId, payload = new { x = 1 } });

        Assert.Equal(HttpStatusCode.Created, spawn.StatusCode);
        var body = await spawn.Content.ReadFromJsonAsync<JsonElement>();
        var childId = body.GetProperty("id").GetString()!;
        Assert.Equal(childJobId, body.GetProperty("job_id").GetString());
        Assert.Equal(projectId, body.GetProperty("project_id").GetString());
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal(parentId, body.GetProperty("parent_run_id").GetString());
        Assert.Equal("spawn", body.GetProperty("triggered_by").GetString());
        Assert.Equal(1, body.GetProperty("lineage_depth").GetInt32());
        Assert.Equal(1, body.GetProperty("payload").GetProperty("x").GetInt32());
        Assert.False(body.TryGetProperty("await_completion", out _));
        var child = await api.WaitForStatusAsync(childId, "completed");
        Assert.Equal("done", child.GetProperty("result").GetProperty("child").GetString());
        Assert.Equal(parentId, child.GetProperty("parent_run_id").GetString());
        Assert.Equal(1, child.GetProperty("lineage_depth").GetInt32());
        Assert.Equal("spawn", child.GetProperty("triggered_by").GetString());
        Assert.Equal("""{"x":1}""", Encoding.UTF8.GetString(Assert.Single(endpoint.RequestsTo(childUrl)).Body));
        var children = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{parentId}/children");
        Assert.Equal(childId, Assert.Single(children.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.False(children.GetProperty("has_more").GetBoolean());
        Assert.Equal("executing", (await api.GetRunAsync(parentId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Spawn_AwaitCompletion_ParksTheParentUntilTheChildCompletesThenResumesIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var childUrl = endpoint.Route(async c =>
        {
            await release.Task;
            await c.Response.WriteAsJsonAsync(new { sum = 3 });
        });
        var (_, childSlug) = await CreateJobAsync(api, childUrl);
        // The parent's job code: the first delivery hands over to the SDK; the resumed one reads the child's run and ends.
        var url = endpoint.Route(async c =>
        {
            var childId = c.Request.Headers["X-Child-Run-Id"].ToString();
            if (childId.Length == 0)
            {
                c.Response.StatusCode = 202;
                return;
            }

            var child = await api.GetRunAsync(childId);
            await c.Response.WriteAsJsonAsync(new
            {
                child_status = c.Request.Headers["X-Child-Status"].ToString(),
                child_sum = child.GetProperty("result").GetProperty("sum").GetInt32(),
            });
        });
        var jobId = await api.CreateJobAsync(url);
        var (parentId, sdk) = await StartExecutingRunAsync(jobId, url);
        using var lease = sdk;

        var spawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{parentId}/spawn", new { job_slug = childSlug, project_id = projectId, await_completion = true });

        Assert.Equal(HttpStatusCode.Created, spawn.StatusCode);
        var body = await spawn.Content.ReadFromJsonAsync<JsonElement>();
        var childId = body.GetProperty("id").GetString()!;
        Assert.True(body.GetProperty("await_completion").GetBoolean());
        Assert.Equal($"spawn-await:{childId}", body.GetProperty("await_event_key").GetString());
        var waiting = await api.WaitForStatusAsync(parentId, "waiting");
        Assert.Equal($"spawn-await:{childId}", waiting.GetProperty("wait_reason").GetString());
        // Parked: a second awaited spawn is refused and creates nothing.
        await WaitForTimelineAsync(parentId, t => t.Contains("executing->waiting"));
        var again = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{parentId}/spawn", new { job_slug = childSlug, project_id = projectId, await_completion = true });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await api.WaitForStatusAsync(childId, "executing");
        Assert.Single(endpoint.RequestsTo(url));
        // The wait is an event trigger like any other in /v1/events, but only the child's end resolves it.
        var trigger = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/spawn-await:{childId}");
        Assert.Equal("waiting", trigger.GetProperty("status").GetString());
        Assert.Equal("spawn_await", trigger.GetProperty("trigger_type").GetString());
        Assert.Equal(parentId, trigger.GetProperty("job_run_id").GetString());
        var sent = await api.Http.PostAsJsonAsync($"/v1/events/spawn-await:{childId}/send", new { payload = new { x = 1 } });
        Assert.Equal(HttpStatusCode.Conflict, sent.StatusCode);
        var byPrefix = await api.Http.PostAsJsonAsync("/v1/events/prefix/spawn-await:/send", new { payload = new { x = 1 } });
        Assert.Equal(0, (await byPrefix.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("resolved").GetInt32());

        release.SetResult();

        var parent = await api.WaitForStatusAsync(parentId, "completed");
        Assert.Equal("completed", parent.GetProperty("result").GetProperty("child_status").GetString());
        Assert.Equal(3, parent.GetProperty("result").GetProperty("child_sum").GetInt32());
        Assert.Equal(1, parent.GetProperty("attempt").GetInt32());
        var resumed = endpoint.RequestsTo(url)[1];
        Assert.Equal("1", resumed.Header("X-Attempt"));
        Assert.Equal($"spawn-await:{childId}", resumed.Header("X-Event-Key"));
        Assert.Equal(childId, resumed.Header("X-Child-Run-Id"));
        var timeline = await WaitForTimelineAsync(parentId, t => t.Contains("executing->completed"));
        Assert.Equal(["->queued", "queued->executing", "executing->waiting", "waiting->queued", "queued->executing", "executing->completed"], timeline);
        var children = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{parentId}/children");
        Assert.Single(children.GetProperty("data").EnumerateArray());
        Assert.Equal("received", await TriggerStatusAsync($"spawn-await:{childId}", s => s != "waiting"));
        var received = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/spawn-await:{childId}");
        Assert.Equal("completed", received.GetProperty("response_payload").GetProperty("child_status").GetString());
    }

    [Fact]
    public async Task Spawn_AwaitedFromInsideTheDelivery_ParentAnswering200IsStillParkedAndEndsWithTheResumedCall()
    {
        var childUrl = endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { part = 7 }));
        var (_, childSlug) = await CreateJobAsync(api, childUrl);
        var spawnStatus = new ConcurrentQueue<HttpStatusCode>();
        var url = endpoint.Route(async c =>
        {
            var status = c.Request.Headers["X-Child-Status"].ToString();
            if (status.Length == 0)
            {
                // Called back at once: the run may still read queued in runs-api while this call is in flight.
                var runId = c.Request.Headers["X-Run-ID"].ToString();
                using var sdk = platform.Client(c.Request.Headers["X-Run-Token"].ToString());
                var spawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/spawn", new { job_slug = childSlug, project_id = projectId, await_completion = true });
                spawnStatus.Enqueue(spawn.StatusCode);
                await c.Response.WriteAsJsonAsync(new { phase = "spawned" });
                return;
            }

            await c.Response.WriteAsJsonAsync(new { phase = "resumed", child_status = status });
        });
        var jobId = await api.CreateJobAsync(url);

        var parentId = await api.TriggerAsync(jobId);

        var parent = await api.WaitForStatusAsync(parentId, "completed", TimeSpan.FromSeconds(30));
        Assert.Equal([HttpStatusCode.Created], spawnStatus);
        Assert.Equal("resumed", parent.GetProperty("result").GetProperty("phase").GetString());
        Assert.Equal("completed", parent.GetProperty("result").GetProperty("child_status").GetString());
        var child = Assert.Single((await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{parentId}/children")).GetProperty("data").EnumerateArray());
        Assert.Equal("completed", child.GetProperty("status").GetString());
        Assert.Equal(2, endpoint.RequestsTo(url).Count);
    }

    [Fact]
    public async Task Spawn_AwaitTimeoutPassesFirst_ParentTimesOutAndStaysSo()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var childUrl = endpoint.Route(async c => { await release.Task; c.Response.StatusCode = 200; });
        var (_, childSlug) = await CreateJobAsync(api, childUrl);
        var (parentId, sdk) = await StartExecutingRunAsync(parentJobId, parentUrl);
        using var lease = sdk;

        var spawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{parentId}/spawn",
            new { job_slug = childSlug, project_id = projectId, await_completion = true, await_timeout_secs = 1 });
        var childId = (await spawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var parent = await api.WaitForStatusAsync(parentId, "timed_out");
        Assert.Equal($"wait timed out: spawn-await:{childId}", parent.GetProperty("error").GetString());
        release.SetResult();
        await api.WaitForStatusAsync(childId, "completed");
        await Task.Delay(300);
        Assert.Equal("timed_out", (await api.GetRunAsync(parentId)).GetProperty("status").GetString());
        Assert.Equal("timed_out", await TriggerStatusAsync($"spawn-await:{childId}", s => s != "waiting"));
        Assert.Single(endpoint.RequestsTo(parentUrl), r => r.Header("X-Run-ID") == parentId);
    }

    [Fact]
    public async Task Continue_NewRunCompletes_CallerIsUnchangedAndTheChainIsListed()
    {
        string url = null!;
        url = endpoint.Route(async c =>
        {
            // The endpoint has recorded (and so consumed) the body before the handler runs.
            var runId = c.Request.Headers["X-Run-ID"].ToString();
            using var payload = JsonDocument.Parse(endpoint.RequestsTo(url).Last(r => r.Header("X-Run-ID") == runId).Body);
            if (payload.RootElement.GetProperty("step").GetInt32() == 2)
            {
                await c.Response.WriteAsJsonAsync(new { finished = true });
                return;
            }

            c.Response.StatusCode = 202;
        });
        var jobId = await api.CreateJobAsync(url);
        var (runId, sdk) = await StartExecutingRunAsync(jobId, url, new { payload = new { step = 1 }, priority = 4, tags = new { team = "a" } });
        using var lease = sdk;

        var continued = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/continue", new { payload = new { step = 2 } });
        var defaulted = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/continue", new { });

        Assert.Equal(HttpStatusCode.Created, continued.StatusCode);
        var next = await continued.Content.ReadFromJsonAsync<JsonElement>();
        var nextId = next.GetProperty("id").GetString()!;
        Assert.Equal(runId, next.GetProperty("continuation_of").GetString());
        Assert.Equal(1, next.GetProperty("lineage_depth").GetInt32());
        Assert.Equal("manual", next.GetProperty("triggered_by").GetString());
        Assert.Equal(4, next.GetProperty("priority").GetInt32());
        Assert.Equal(jobId, next.GetProperty("job_id").GetString());
        Assert.False(next.TryGetProperty("parent_run_id", out _));
        Assert.True((await api.WaitForStatusAsync(nextId, "completed")).GetProperty("result").GetProperty("finished").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, defaulted.StatusCode);
        var defaultedRun = await defaulted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, defaultedRun.GetProperty("payload").GetProperty("step").GetInt32());
        Assert.Equal("a", defaultedRun.GetProperty("tags").GetProperty("team").GetString());
        Assert.Equal("executing", (await api.GetRunAsync(runId)).GetProperty("status").GetString());

        var lineage = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{nextId}/lineage");
        Assert.Equal([runId, nextId, defaultedRun.GetProperty("id").GetString()!],
            lineage.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        var children = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/children");
        Assert.Empty(children.GetProperty("data").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/complete", new { })).StatusCode);
    }

    [Fact]
    public async Task Continue_FromInsideTheJobUntilDepthTen_TheEleventhIsRefusedWith400()
    {
        var answers = new ConcurrentQueue<(string RunId, HttpStatusCode Status, string Body)>();
        var url = endpoint.Route(async c =>
        {
            var runId = c.Request.Headers["X-Run-ID"].ToString();
            using var sdk = platform.Client(c.Request.Headers["X-Run-Token"].ToString());
            var response = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/continue", new { payload = new { from = runId } });
            answers.Enqueue((runId, response.StatusCode, await response.Content.ReadAsStringAsync()));
            await c.Response.WriteAsJsonAsync(new { continued = response.StatusCode == HttpStatusCode.Created });
        });
        var jobId = await api.CreateJobAsync(url);

        var first = await api.TriggerAsync(jobId);

        await WaitUntilAsync(() => answers.Count >= 11, TimeSpan.FromSeconds(60), () => string.Join(", ", answers.Select(a => a.Status)) + " / last: " + answers.LastOrDefault().Body);
        var calls = answers.ToList();
        Assert.All(calls.Take(10), a => Assert.Equal(HttpStatusCode.Created, a.Status));
        var refused = calls[10];
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("lineage depth limit of 10 reached", JsonDocument.Parse(refused.Body).RootElement.GetProperty("error").GetString());
        var last = await api.WaitForStatusAsync(refused.RunId, "completed");
        Assert.Equal(10, last.GetProperty("lineage_depth").GetInt32());

        var chain = new List<JsonElement>();
        var query = "limit=4";
        do
        {
            var page = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{refused.RunId}/lineage?{query}");
            chain.AddRange(page.GetProperty("data").EnumerateArray());
            query = page.GetProperty("has_more").GetBoolean() ? "limit=4&cursor=" + Uri.EscapeDataString(page.GetProperty("next_cursor").GetString()!) : "";
        }
        while (query.Length > 0);

        Assert.Equal(Enumerable.Range(0, 11), chain.Select(r => r.GetProperty("lineage_depth").GetInt32()));
        Assert.Equal(first, chain[0].GetProperty("id").GetString());
        Assert.All(chain.Skip(1).Zip(chain), pair =>
            Assert.Equal(pair.Second.GetProperty("id").GetString(), pair.First.GetProperty("continuation_of").GetString()));
        var runs = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}&limit=100");
        Assert.Equal(11, runs.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task SpawnAndContinue_MissingForeignStaleOrFinishedTokens_AreRefusedAndCreateNothing()
    {
        var (_, childSlug) = await CreateJobAsync(api, parentUrl);
        var spawnBody = new { job_slug = childSlug, project_id = projectId };
        var (runId, sdk) = await StartExecutingRunAsync(parentJobId, parentUrl);
        using var lease = sdk;
        using var anonymous = platform.Client();
        var calls = 0;
        var retryUrl = endpoint.Route(c => { c.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 202; return Task.CompletedTask; });
        var retryJob = await api.CreateJobAsync(retryUrl, new { max_attempts = 3, retry_delays_secs = new[] { 1 } });
        var retried = await api.TriggerAsync(retryJob);
        await WaitForTimelineAsync(retried, t => t.Count(s => s == "queued->executing") == 2);
        using var stale = platform.Client(endpoint.RequestsTo(retryUrl)[0].Header("X-Run-Token"));

        var noToken = await anonymous.PostAsJsonAsync($"/sdk/v1/runs/{runId}/spawn", spawnBody);
        var otherRun = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{retried}/continue", new { });
        var staleSpawn = await stale.PostAsJsonAsync($"/sdk/v1/runs/{retried}/spawn", spawnBody);
        var staleContinue = await stale.PostAsJsonAsync($"/sdk/v1/runs/{retried}/continue", new { });
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/v1/runs/{runId}/pause", null)).StatusCode);
        await WaitForTimelineAsync(runId, t => t.Contains("executing->paused"));
        var pausedSpawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/spawn", spawnBody);
        var pausedContinue = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/continue", new { });
        Assert.Equal(HttpStatusCode.OK, (await api.Http.DeleteAsync($"/v1/runs/{runId}")).StatusCode);
        await WaitForTimelineAsync(runId, t => t.Contains("paused->canceled"));
        var finishedSpawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/spawn", spawnBody);
        var finishedContinue = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/continue", new { });

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherRun.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, staleSpawn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, staleContinue.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, pausedSpawn.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, pausedContinue.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, finishedSpawn.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, finishedContinue.StatusCode);
        Assert.Equal("gone", (await finishedContinue.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var runs = await api.Http.GetFromJsonAsync<JsonElement>("/v1/runs?limit=100");
        Assert.Equal(2, runs.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Spawn_BadInputs_AreAnsweredWithTheDocumentedStatusAndCreateNothing()
    {
        var (childJobId, childSlug) = await CreateJobAsync(api, parentUrl);
        var (runId, sdk) = await StartExecutingRunAsync(parentJobId, parentUrl);
        using var lease = sdk;
        var other = await platform.CreateTenantAsync();
        using var otherApi = ClientFor(other);
        var (_, otherSlug) = await CreateJobAsync(otherApi, parentUrl);
        using var admin = platform.InternalClient(other.ProjectId);
        var readOnlyKey = (await StraitPlatform.CreateKeyAsync(admin, other.ProjectId, ["runs:read"])).GetProperty("key").GetString()!;
        var spawn = $"/sdk/v1/runs/{runId}/spawn";

        var noSlug = await sdk.PostAsJsonAsync(spawn, new { project_id = projectId });
        var noProject = await sdk.PostAsJsonAsync(spawn, new { job_slug = childSlug });
        var zeroTimeout = await sdk.PostAsJsonAsync(spawn, new { job_slug = childSlug, project_id = projectId, await_completion = true, await_timeout_secs = 0 });
        var longTimeout = await sdk.PostAsJsonAsync(spawn, new { job_slug = childSlug, project_id = projectId, await_timeout_secs = 2_592_001 });
        var unknownJob = await sdk.PostAsJsonAsync(spawn, new { job_slug = "no-such-job", project_id = projectId });
        var malformed = await sdk.PostAsync(spawn, new StringContent("{\"job_slug\":", Encoding.UTF8, "application/json"));
        var noTargetKey = await sdk.PostAsJsonAsync(spawn, new { job_slug = otherSlug, project_id = other.ProjectId });
        var unknownKey = await sdk.PostAsJsonAsync(spawn, new { job_slug = otherSlug, project_id = other.ProjectId, target_api_key = "strait_" + new string('0', 64) });
        var strangerKey = await sdk.PostAsJsonAsync(spawn, new { job_slug = otherSlug, project_id = other.ProjectId, target_api_key = (await platform.CreateTenantAsync()).ApiKey });
        var weakKey = await sdk.PostAsJsonAsync(spawn, new { job_slug = otherSlug, project_id = other.ProjectId, target_api_key = readOnlyKey });
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsJsonAsync($"/v1/jobs/{childJobId}/pause", new { })).StatusCode);
        var pausedJob = await sdk.PostAsJsonAsync(spawn, new { job_slug = childSlug, project_id = projectId });
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/v1/jobs/{childJobId}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.PatchAsJsonAsync($"/v1/jobs/{childJobId}", new { enabled = false })).StatusCode);
        var disabledJob = await sdk.PostAsJsonAsync(spawn, new { job_slug = childSlug, project_id = projectId });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, noSlug.StatusCode);
        Assert.Contains("job_slug: failed on 'required'", (await noSlug.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("details").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noProject.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, zeroTimeout.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longTimeout.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
        Assert.Equal("job not found", (await unknownJob.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noTargetKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, strangerKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, weakKey.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, pausedJob.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, disabledJob.StatusCode);
        Assert.Equal("executing", (await api.GetRunAsync(runId)).GetProperty("status").GetString());
        Assert.Empty((await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/children")).GetProperty("data").EnumerateArray());
        Assert.Equal(1, (await api.Http.GetFromJsonAsync<JsonElement>("/v1/runs?limit=100")).GetProperty("data").GetArrayLength());
        Assert.Empty((await otherApi.Http.GetFromJsonAsync<JsonElement>("/v1/runs?limit=100")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Spawn_IntoAnotherProjectWithItsKey_CreatesTheChildThereOnly()
    {
        var other = await platform.CreateTenantAsync();
        using var otherApi = ClientFor(other);
        var childUrl = endpoint.Route(c => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        var (_, otherSlug) = await CreateJobAsync(otherApi, childUrl);
        var (runId, sdk) = await StartExecutingRunAsync(parentJobId, parentUrl);
        using var lease = sdk;

        var spawn = await sdk.PostAsJsonAsync($"/sdk/v1/runs/{runId}/spawn", new { job_slug = otherSlug, project_id = other.ProjectId, target_api_key = other.ApiKey });

        Assert.Equal(HttpStatusCode.Created, spawn.StatusCode);
        var childId = (await spawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var child = await otherApi.WaitForStatusAsync(childId, "completed");
        Assert.Equal(other.ProjectId, child.GetProperty("project_id").GetString());
        Assert.Equal(runId, child.GetProperty("parent_run_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/v1/runs/{childId}")).StatusCode);
        Assert.Empty((await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/children")).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task ChildrenAndLineage_OtherTenantUnknownRunOrBadCursor_AreRefused()
    {
        var runId = await api.TriggerAsync(parentJobId);
        using var otherTenant = await RunApiClient.ForNewTenantAsync(platform);
        using var anonymous = platform.Client();

        foreach (var kind in new[] { "children", "lineage" })
        {
            Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync($"/v1/runs/{runId}/{kind}")).StatusCode);
            var foreign = await otherTenant.Http.GetAsync($"/v1/runs/{runId}/{kind}");
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
            Assert.Equal("run not found", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/v1/runs/{Guid.CreateVersion7()}/{kind}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/v1/runs/not-a-run/{kind}")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.Http.GetAsync($"/v1/runs/{runId}/{kind}?cursor=yesterday")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/runs/{runId}/{kind}")).StatusCode);
        }

        var lineage = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/lineage");
        Assert.Equal(runId, Assert.Single(lineage.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    private RunApiClient ClientFor(Tenant tenant) => new(platform.Client(tenant.ApiKey));

    private static async Task<(string Id, string Slug)> CreateJobAsync(RunApiClient client, string url)
    {
        var slug = "job-" + Guid.NewGuid().ToString("N")[..10];
        return (await client.CreateJobAsync(url, new { slug }), slug);
    }

    /// <summary>A run in <c>executing</c>, as seen by runs-api and by sdk-ingest's copy, and an SDK client holding its token.</summary>
    private async Task<(string RunId, HttpClient Sdk)> StartExecutingRunAsync(string jobId, string url, object? trigger = null)
    {
        var runId = await api.TriggerAsync(jobId, trigger);
        await api.WaitForStatusAsync(runId, "executing");
        await WaitForTimelineAsync(runId, t => t.Contains("queued->executing"));
        await WaitUntilAsync(() => endpoint.RequestsTo(url).Any(r => r.Header("X-Run-ID") == runId), TimeSpan.FromSeconds(20), () => "the dispatch");
        var request = Assert.Single(endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == runId);
        return (runId, platform.Client(request.Header("X-Run-Token")));
    }

    // sdk-ingest's timeline is written with its run copy, so this also waits for the copy to catch up.
    private async Task<List<string>> WaitForTimelineAsync(string runId, Func<List<string>, bool> reached)
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

        return timeline;
    }

    private static async Task WaitUntilAsync(Func<bool> reached, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!reached())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not reached: {describe()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The trigger's status once <paramref name="done"/> holds (the events service follows the runs by messages).</summary>
    private async Task<string> TriggerStatusAsync(string key, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var status = (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/events/{key}")).GetProperty("status").GetString()!;
            if (done(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }
}
