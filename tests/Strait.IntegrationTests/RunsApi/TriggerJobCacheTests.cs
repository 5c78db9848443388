using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Platform;
using Strait.RunsApi.Apis;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>
/// The trigger path reads jobs from a short per-replica cache (<see cref="JobCache"/>). Each test triggers first, so the
/// job is cached, then changes it: a change made through runs-api applies to the very next trigger; one made behind its
/// back (another replica, here a direct SQL update) within <see cref="JobCache.CacheFor"/>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class TriggerJobCacheTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task DisableAndEnable_ThroughPatch_ApplyToTheNextTrigger()
    {
        var jobId = await CachedJobAsync();

        await PatchAsync(jobId, new { enabled = false });
        await AssertRefusedAsync(jobId, HttpStatusCode.BadRequest, "job is disabled");

        await PatchAsync(jobId, new { enabled = true });
        await api.TriggerAsync(jobId);
    }

    [Fact]
    public async Task BatchDisable_WhichBypassesTheChangeTracker_AppliesToTheNextTrigger()
    {
        var jobId = await CachedJobAsync();

        var response = await api.Http.PostAsJsonAsync("/v1/jobs/batch-disable", new { ids = new[] { jobId } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await AssertRefusedAsync(jobId, HttpStatusCode.BadRequest, "job is disabled");
    }

    [Fact]
    public async Task PauseAndResume_ApplyToTheNextTrigger()
    {
        var jobId = await CachedJobAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/pause", new { })).StatusCode);
        await AssertRefusedAsync(jobId, HttpStatusCode.Conflict, "job is paused");

        Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/resume", new { })).StatusCode);
        await api.TriggerAsync(jobId);
    }

    [Fact]
    public async Task Delete_AppliesToTheNextTrigger()
    {
        var jobId = await CachedJobAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"/v1/jobs/{jobId}")).StatusCode);

        await AssertRefusedAsync(jobId, HttpStatusCode.NotFound, "job not found");
    }

    [Fact]
    public async Task Patch_TheNextRunCarriesTheNewVersion()
    {
        var jobId = await CachedJobAsync();
        var before = await api.GetRunAsync(await api.TriggerAsync(jobId));

        await PatchAsync(jobId, new { timeout_secs = 77 });
        var after = await api.GetRunAsync(await api.TriggerAsync(jobId));

        var job = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");
        Assert.Equal(77, job.GetProperty("timeout_secs").GetInt32());
        Assert.Equal(before.GetProperty("job_version").GetInt32() + 1, after.GetProperty("job_version").GetInt32());
        Assert.Equal(job.GetProperty("version_id").GetString(), after.GetProperty("job_version_id").GetString());
        Assert.NotEqual(before.GetProperty("job_version_id").GetString(), after.GetProperty("job_version_id").GetString());
    }

    [Fact]
    public async Task ACachedJob_IsNotTriggerableFromAnotherProject()
    {
        var jobId = await CachedJobAsync();
        using var other = await RunApiClient.ForNewTenantAsync(platform);

        var response = await other.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("job not found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task AChangeMadeBehindRunsApisBack_AppliesWithinTheCacheTime()
    {
        var jobId = await CachedJobAsync();

        await Sql.ExecuteAsync(platform.PostgresConnectionString, $"UPDATE runs.jobs SET paused = true WHERE id = '{jobId}'");

        // Triggers accepted meanwhile are real runs of the job as cached; the point is that the pause takes over in time.
        var deadline = DateTime.UtcNow + JobCache.CacheFor + TimeSpan.FromSeconds(3);
        HttpResponseMessage response;
        while ((response = await TriggerAsync(jobId)).StatusCode == HttpStatusCode.Created && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private async Task<string> CachedJobAsync()
    {
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));
        var runId = await api.TriggerAsync(jobId);
        // Settled, so a delete is not refused for an active run.
        await api.WaitForStatusAsync(runId, "completed");
        return jobId;
    }

    private async Task PatchAsync(string jobId, object body)
    {
        var response = await api.Http.PatchAsJsonAsync($"/v1/jobs/{jobId}", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> TriggerAsync(string jobId) =>
        api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } });

    private async Task AssertRefusedAsync(string jobId, HttpStatusCode status, string error)
    {
        var response = await TriggerAsync(jobId);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }
}
