using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>Reschedule, idempotency-key reset and the bulk run routes, through the gateway against real runs.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RunActionRoutesTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task Reschedule_DelayedRunToNowWithPayload_RunsWithTheNewPayload()
    {
        var url = endpoint.Route(_ => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);
        var runId = await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1), payload = new { v = 1 } });

        var response = await api.Http.PostAsJsonAsync($"/v1/runs/{runId}/reschedule", new { scheduled_at = DateTimeOffset.UtcNow.AddMinutes(-1), payload = new { v = 2 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(runId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal("""{"v":2}""", Encoding.UTF8.GetString(Assert.Single(endpoint.RequestsTo(url)).Body));
    }

    [Fact]
    public async Task Reschedule_DelayedRunLater_MovesItsScheduledAt()
    {
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));
        var runId = await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1) });
        var at = DateTimeOffset.UtcNow.AddDays(2);

        var response = await api.Http.PostAsJsonAsync($"/v1/runs/{runId}/reschedule", new { scheduled_at = at });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await api.GetRunAsync(runId);
        Assert.Equal("delayed", run.GetProperty("status").GetString());
        Assert.Equal(at.ToUnixTimeSeconds(), run.GetProperty("scheduled_at").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Reschedule_BadInputNotEligibleOrForeign_IsRefusedAndChangesNothing()
    {
        var url = endpoint.Route(_ => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);
        var scheduled = DateTimeOffset.UtcNow.AddDays(1);
        var delayed = await api.TriggerAsync(jobId, new { scheduled_at = scheduled });
        var done = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(done, "completed");

        var missing = await api.Http.PostAsJsonAsync($"/v1/runs/{delayed}/reschedule", new { payload = new { v = 2 } });
        var tooFar = await api.Http.PostAsJsonAsync($"/v1/runs/{delayed}/reschedule", new { scheduled_at = DateTimeOffset.UtcNow.AddDays(31) });
        var finished = await api.Http.PostAsJsonAsync($"/v1/runs/{done}/reschedule", new { scheduled_at = DateTimeOffset.UtcNow });
        var foreign = await other.Http.PostAsJsonAsync($"/v1/runs/{delayed}/reschedule", new { scheduled_at = DateTimeOffset.UtcNow });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooFar.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, finished.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("not_found", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var run = await api.GetRunAsync(delayed);
        Assert.Equal("delayed", run.GetProperty("status").GetString());
        Assert.Equal(scheduled.ToUnixTimeSeconds(), run.GetProperty("scheduled_at").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("completed", (await api.GetRunAsync(done)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ResetIdempotencyKey_FreesTheKeyForANewRun_ButNotForAnotherProject()
    {
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));
        var first = await TriggerWithKeyAsync(jobId, "order-1");

        var foreign = await other.Http.DeleteAsync($"/v1/runs/{first.Id}/idempotency-key");
        var stillHit = await TriggerWithKeyAsync(jobId, "order-1");
        var reset = await api.Http.DeleteAsync($"/v1/runs/{first.Id}/idempotency-key");
        var fresh = await TriggerWithKeyAsync(jobId, "order-1");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal((HttpStatusCode.OK, first.Id), (stillHit.Status, stillHit.Id));
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var body = await reset.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("reset", body.GetProperty("status").GetString());
        Assert.Equal(first.Id, body.GetProperty("run_id").GetString());
        Assert.Equal(HttpStatusCode.Created, fresh.Status);
        Assert.NotEqual(first.Id, fresh.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.DeleteAsync($"/v1/runs/{Guid.CreateVersion7()}/idempotency-key")).StatusCode);
    }

    [Fact]
    public async Task BulkCancel_MixedIds_CancelsOwnActiveRunsAndReportsTheRest()
    {
        var url = endpoint.Route(_ => Task.CompletedTask);
        var jobId = await api.CreateJobAsync(url);
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var (a, b) = (await api.TriggerAsync(jobId, new { scheduled_at = later }), await api.TriggerAsync(jobId, new { scheduled_at = later }));
        var done = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(done, "completed");
        var foreignJob = await other.CreateJobAsync(url);
        var foreignRun = await other.TriggerAsync(foreignJob, new { scheduled_at = later });

        var response = await api.Http.PostAsJsonAsync("/v1/runs/bulk-cancel", new { run_ids = new[] { a, b, done, foreignRun } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((4, 2, 1), (body.GetProperty("total").GetInt32(), body.GetProperty("canceled").GetInt32(), body.GetProperty("failed").GetInt32()));
        var statuses = body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()).ToList();
        Assert.Equal(["canceled", "canceled", "completed", "failed"], statuses);
        Assert.Equal("canceled", (await api.GetRunAsync(a)).GetProperty("status").GetString());
        Assert.Equal("delayed", (await other.GetRunAsync(foreignRun)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task BulkCancel_NoIdsOrTooMany_IsRefused()
    {
        var none = await api.Http.PostAsJsonAsync("/v1/runs/bulk-cancel", new { run_ids = Array.Empty<string>() });
        var tooMany = await api.Http.PostAsJsonAsync("/v1/runs/bulk-cancel", new { run_ids = Enumerable.Range(0, 101).Select(_ => Guid.CreateVersion7().ToString()) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task BulkCancelAll_ByBatch_CancelsThatBatchOnly()
    {
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var bulk = await (await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk",
            new { items = new[] { new { scheduled_at = later }, new { scheduled_at = later } } })).Content.ReadFromJsonAsync<JsonElement>();
        var batchIds = bulk.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Order().ToList();
        var outside = await api.TriggerAsync(jobId, new { scheduled_at = later });

        var noFilter = await api.Http.PostAsJsonAsync("/v1/runs/bulk-cancel-all", new { });
        var foreign = await other.Http.PostAsJsonAsync("/v1/runs/bulk-cancel-all", new { job_id = jobId });
        var response = await api.Http.PostAsJsonAsync("/v1/runs/bulk-cancel-all", new { batch_id = bulk.GetProperty("batch_id").GetString() });

        Assert.Equal(HttpStatusCode.BadRequest, noFilter.StatusCode);
        Assert.Equal(0, (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("canceled").GetInt32());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("canceled").GetInt32());
        Assert.Equal(batchIds, body.GetProperty("run_ids").EnumerateArray().Select(r => r.GetString()).Order().ToList());
        Assert.Equal("canceled", (await api.GetRunAsync(batchIds[0]!)).GetProperty("status").GetString());
        Assert.Equal("delayed", (await api.GetRunAsync(outside)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task BulkReplay_ReplaysFailedRuns_SkipsOthers_AndFailsUnknownOrForeign()
    {
        var url = endpoint.Route(async c => await Task.Delay(TimeSpan.FromSeconds(3), c.RequestAborted));
        var jobId = await api.CreateJobAsync(url, new { timeout_secs = 1, max_attempts = 1 });
        var timedOut = await api.TriggerAsync(jobId);
        var delayed = await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1) });
        await api.WaitForStatusAsync(timedOut, "timed_out", TimeSpan.FromSeconds(30));

        var foreign = await other.Http.PostAsJsonAsync("/v1/runs/bulk-replay", new { run_ids = new[] { timedOut } });
        var response = await api.Http.PostAsJsonAsync("/v1/runs/bulk-replay", new { run_ids = new[] { timedOut, delayed, Guid.CreateVersion7().ToString() } });

        var foreignBody = await foreign.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failed", foreignBody.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 1), (body.GetProperty("total").GetInt32(), body.GetProperty("replayed").GetInt32()));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["replayed", "skipped", "failed"], results.Select(r => r.GetProperty("status").GetString()));
        var newRun = await api.GetRunAsync(results[0].GetProperty("new_run_id").GetString()!);
        Assert.Equal(jobId, newRun.GetProperty("job_id").GetString());
        Assert.Equal(2, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}&statuses=queued&statuses=executing&statuses=timed_out"))
            .GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task BulkReplay_NoIdsOrTooMany_Is422()
    {
        var none = await api.Http.PostAsJsonAsync("/v1/runs/bulk-replay", new { run_ids = Array.Empty<string>() });
        var tooMany = await api.Http.PostAsJsonAsync("/v1/runs/bulk-replay", new { run_ids = Enumerable.Range(0, 101).Select(_ => Guid.CreateVersion7().ToString()) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
    }

    [Fact]
    public async Task BulkDlqReplay_ByIdsAndByProject_RequeuesDeadLetterRunsOfTheCallerOnly()
    {
        var failing = true;
        var url = endpoint.Route(c => { c.Response.StatusCode = Volatile.Read(ref failing) ? 422 : 200; return Task.CompletedTask; });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 1 });
        var (a, b) = (await api.TriggerAsync(jobId), await api.TriggerAsync(jobId));
        await api.WaitForStatusAsync(a, "dead_letter");
        await api.WaitForStatusAsync(b, "dead_letter");

        var both = await api.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { run_ids = new[] { a }, project_id = "x" });
        var neither = await api.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { limit = 5 });
        var foreign = await other.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { run_ids = new[] { a, b } });
        Volatile.Write(ref failing, false);
        var byIds = await api.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { run_ids = new[] { a } });
        await api.WaitForStatusAsync(a, "completed");
        var projectId = (await api.GetRunAsync(b)).GetProperty("project_id").GetString();
        var byProject = await api.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { project_id = projectId, limit = 10 });
        await api.WaitForStatusAsync(b, "completed");
        var empty = await api.Http.PostAsJsonAsync("/v1/runs/bulk-dlq-replay", new { project_id = projectId });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, both.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, neither.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byIds.StatusCode);
        var body = await byIds.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("count").GetInt32());
        Assert.Equal(a, body.GetProperty("replayed")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, byProject.StatusCode);
        Assert.Equal(b, (await byProject.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayed")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, empty.StatusCode);
    }

    private async Task<(HttpStatusCode Status, string Id)> TriggerWithKeyAsync(string jobId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/jobs/{jobId}/trigger")
        {
            Content = JsonContent.Create(new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1) }),
        };
        request.Headers.Add("Idempotency-Key", key);
        var response = await api.Http.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }
}
