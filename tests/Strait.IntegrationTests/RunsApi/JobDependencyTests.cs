using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>Job dependencies end to end: the routes, runs held waiting at trigger, and their release when upstream runs end.</summary>
[Collection(PlatformCollection.Name)]
public sealed class JobDependencyTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task Dependencies_CreateListDelete_AndEveryBadInputAnswered()
    {
        var (a, b, c) = (await NewJobAsync(), await NewJobAsync(), await NewJobAsync());
        using var other = await RunApiClient.ForNewTenantAsync(platform);
        var foreignJob = await other.CreateJobAsync(Ok());

        var created = await api.Http.PostAsJsonAsync($"/v1/jobs/{b}/dependencies", new { depends_on_job_id = a });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var dependency = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((b, a, "completed"), (Str(dependency, "job_id"), Str(dependency, "depends_on_job_id"), Str(dependency, "condition")));
        var dependencyId = Str(dependency, "id");

        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { condition = "any" });
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = b });
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = Guid.CreateVersion7() });
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = "not-a-job" });
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = foreignJob });
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = c, condition = "sometimes" });
        await AssertErrorAsync(HttpStatusCode.Conflict, $"/v1/jobs/{b}/dependencies", new { depends_on_job_id = a, condition = "any" });
        // a → b exists; b → a would make both wait forever, and so would a chain back through c.
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{a}/dependencies", new { depends_on_job_id = b });
        Assert.Equal(HttpStatusCode.Created, (await api.Http.PostAsJsonAsync($"/v1/jobs/{c}/dependencies", new { depends_on_job_id = b, condition = "any" })).StatusCode);
        await AssertErrorAsync(HttpStatusCode.BadRequest, $"/v1/jobs/{a}/dependencies", new { depends_on_job_id = c });

        // Another project sees none of it and changes none of it.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/v1/jobs/{b}/dependencies")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.PostAsJsonAsync($"/v1/jobs/{b}/dependencies", new { depends_on_job_id = a })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.DeleteAsync($"/v1/jobs/{b}/dependencies/{dependencyId}")).StatusCode);
        // And cannot name this project's job from its own side either.
        Assert.Equal(HttpStatusCode.BadRequest, (await other.Http.PostAsJsonAsync($"/v1/jobs/{foreignJob}/dependencies", new { depends_on_job_id = a })).StatusCode);

        var list = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{b}/dependencies");
        Assert.Equal([dependencyId], list.GetProperty("data").EnumerateArray().Select(d => Str(d, "id")));

        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"/v1/jobs/{b}/dependencies/{dependencyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.DeleteAsync($"/v1/jobs/{b}/dependencies/{dependencyId}")).StatusCode);
        Assert.Equal(0, (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{b}/dependencies")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Trigger_UpstreamNeverCompleted_WaitsThenCompletesAfterTheUpstreamRunCompletes()
    {
        var upstream = await NewJobAsync();
        var downstreamUrl = Ok();
        var downstream = await api.CreateJobAsync(downstreamUrl);
        await DependAsync(downstream, upstream);

        var (runId, status) = await TriggerAsync(downstream, new { n = 1 });

        Assert.Equal("waiting", status);
        var held = await api.GetRunAsync(runId);
        Assert.Equal("dependencies", Str(held, "wait_reason"));
        var before = await StatusOfAsync(runId);
        Assert.False(before.GetProperty("dependencies_satisfied").GetBoolean());
        Assert.Equal((runId, downstream, "waiting"), (Str(before, "run_id"), Str(before, "job_id"), Str(before, "status")));
        Assert.Equal(upstream, Str(before.GetProperty("dependencies")[0], "depends_on_job_id"));
        await Task.Delay(500);
        Assert.Empty(endpoint.RequestsTo(downstreamUrl));

        var upstreamRun = await api.TriggerAsync(upstream);
        await api.WaitForStatusAsync(upstreamRun, "completed");

        await api.WaitForStatusAsync(runId, "completed");
        Assert.Single(endpoint.RequestsTo(downstreamUrl));
        // The timeline is written by sdk-ingest from the status messages: it may trail the run's own status a little.
        var timeline = await api.TimelineAsync(runId);
        for (var deadline = DateTime.UtcNow.AddSeconds(10); timeline.Count < 2 && DateTime.UtcNow < deadline; timeline = await api.TimelineAsync(runId))
        {
            await Task.Delay(50);
        }

        Assert.Equal(["->waiting", "waiting->queued"], timeline.Take(2));
        var after = await StatusOfAsync(runId);
        Assert.True(after.GetProperty("dependencies_satisfied").GetBoolean());
        Assert.Equal(upstreamRun, Str(after.GetProperty("dependencies")[0], "upstream_run_id"));

        // With the upstream run completed, the next run goes straight out.
        var (next, nextStatus) = await TriggerAsync(downstream, new { n = 2 });
        Assert.Equal("queued", nextStatus);
        await api.WaitForStatusAsync(next, "completed");
    }

    [Fact]
    public async Task ConditionFailed_ReleasedOnlyByAFailedUpstreamRun_AndConditionAny_ByEither()
    {
        var failing = false;
        var upstreamUrl = endpoint.Route(c =>
        {
            c.Response.StatusCode = Volatile.Read(ref failing) ? 422 : 200;
            return Task.CompletedTask;
        });
        var upstream = await api.CreateJobAsync(upstreamUrl);
        var onFailure = await NewJobAsync();
        var onAny = await NewJobAsync();
        await DependAsync(onFailure, upstream, "failed");
        await DependAsync(onAny, upstream, "any");

        var (compensation, status) = await TriggerAsync(onFailure, new { n = 1 });
        Assert.Equal("waiting", status);
        var (anyRun, anyStatus) = await TriggerAsync(onAny, new { n = 1 });
        Assert.Equal("waiting", anyStatus);

        await api.WaitForStatusAsync(await api.TriggerAsync(upstream), "completed");
        await api.WaitForStatusAsync(anyRun, "completed");
        await Task.Delay(500);
        Assert.Equal("waiting", Str(await api.GetRunAsync(compensation), "status"));

        Volatile.Write(ref failing, true);
        await api.WaitForStatusAsync(await api.TriggerAsync(upstream), "dead_letter");
        await api.WaitForStatusAsync(compensation, "completed");
    }

    [Fact]
    public async Task DependencyKey_NarrowsTheUpstreamRunsToTheSameKey()
    {
        var upstream = await NewJobAsync();
        var downstream = await NewJobAsync();
        await DependAsync(downstream, upstream);
        await api.WaitForStatusAsync(await api.TriggerAsync(upstream, new { payload = new { dependency_key = "batch-a" } }), "completed");

        var (forA, statusA) = await TriggerAsync(downstream, new { dependency_key = "batch-a" });
        var (forB, statusB) = await TriggerAsync(downstream, new { dependency_key = "batch-b" });

        Assert.Equal(("queued", "waiting"), (statusA, statusB));
        Assert.Equal("batch-b", (await api.GetRunAsync(forB)).GetProperty("metadata").GetProperty("dependency_key").GetString());
        await api.WaitForStatusAsync(forA, "completed");
        await api.WaitForStatusAsync(await api.TriggerAsync(upstream, new { payload = new { dependency_key = "batch-b" } }), "completed");
        await api.WaitForStatusAsync(forB, "completed");
    }

    [Fact]
    public async Task DeleteDependency_ReleasesTheRunsItHeldBack()
    {
        var upstream = await NewJobAsync();
        var downstream = await NewJobAsync();
        var dependencyId = await DependAsync(downstream, upstream);
        var (runId, status) = await TriggerAsync(downstream, new { n = 1 });
        Assert.Equal("waiting", status);

        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"/v1/jobs/{downstream}/dependencies/{dependencyId}")).StatusCode);

        await api.WaitForStatusAsync(runId, "completed");
    }

    [Fact]
    public async Task DependencyStatus_OfAnotherProjectsRun_Returns404()
    {
        var job = await NewJobAsync();
        var runId = await api.TriggerAsync(job);
        using var other = await RunApiClient.ForNewTenantAsync(platform);

        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/v1/runs/{runId}/dependency-status")).StatusCode);
        var own = await StatusOfAsync(runId);
        Assert.True(own.GetProperty("dependencies_satisfied").GetBoolean());
        Assert.Equal(0, own.GetProperty("dependencies").GetArrayLength());
    }

    private string Ok() => endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { ok = true }));

    private Task<string> NewJobAsync() => api.CreateJobAsync(Ok());

    private async Task<string> DependAsync(string jobId, string upstreamJobId, string? condition = null)
    {
        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/dependencies", new { depends_on_job_id = upstreamJobId, condition });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return Str(await response.Content.ReadFromJsonAsync<JsonElement>(), "id");
    }

    private async Task<(string Id, string Status)> TriggerAsync(string jobId, object payload)
    {
        var response = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (Str(body, "id"), Str(body, "status"));
    }

    private async Task<JsonElement> StatusOfAsync(string runId) =>
        await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/dependency-status");

    private async Task AssertErrorAsync(HttpStatusCode expected, string path, object body)
    {
        var response = await api.Http.PostAsJsonAsync(path, body);
        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(Str(await response.Content.ReadFromJsonAsync<JsonElement>(), "error")));
    }

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
