using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>A key of project A can never read, change or confirm the existence of project B's data.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TenantIsolationTests(PlatformFixture fixture)
{
    private readonly StraitPlatform platform = fixture.Platform;

    [Fact]
    public async Task GetJob_OfAnotherProject_Returns404LikeAMissingOne()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);
        using var clientB = platform.Client(b.ApiKey);
        var created = await clientB.PostAsJsonAsync("/v1/jobs", new { project_id = b.ProjectId, name = "B's job", slug = "secret", endpoint_url = "http://example.com/b" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var foreign = await clientA.GetAsync($"/v1/jobs/{jobId}");
        var missing = await clientA.GetAsync($"/v1/jobs/{Guid.CreateVersion7()}");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(
            (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(),
            (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync($"/v1/jobs/{jobId}")).StatusCode);
    }

    [Fact]
    public async Task ListJobs_OnlyShowsTheCallersProject()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);
        using var clientB = platform.Client(b.ApiKey);
        await clientB.PostAsJsonAsync("/v1/jobs", new { project_id = b.ProjectId, name = "B", slug = "b-only", endpoint_url = "http://example.com/b" });

        var ownList = await clientA.GetFromJsonAsync<JsonElement>("/v1/jobs");
        var bySlug = await clientA.GetFromJsonAsync<JsonElement>("/v1/jobs?slug=b-only");
        var explicitOther = await clientA.GetAsync($"/v1/jobs?project_id={b.ProjectId}");

        Assert.Equal(0, ownList.GetProperty("data").GetArrayLength());
        Assert.Equal(0, bySlug.GetProperty("data").GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, explicitOther.StatusCode);
    }

    [Fact]
    public async Task CreateJob_ForAnotherProject_Returns403AndCreatesNothing()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);
        using var clientB = platform.Client(b.ApiKey);

        var response = await clientA.PostAsJsonAsync("/v1/jobs", new { project_id = b.ProjectId, name = "x", slug = "planted", endpoint_url = "http://example.com/x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var list = await clientB.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task RevokeKey_OfAnotherProject_Returns404AndKeyStillWorks()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);

        var response = await clientA.DeleteAsync($"/v1/api-keys/{b.ApiKeyId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var clientB = platform.Client(b.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/v1/jobs")).StatusCode);
    }

    [Fact]
    public async Task GetProject_OfAnotherProject_Returns404()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);

        Assert.Equal(HttpStatusCode.NotFound, (await clientA.GetAsync($"/v1/projects/{b.ProjectId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientA.GetAsync($"/v1/projects/{a.ProjectId}")).StatusCode);
    }

    [Fact]
    public async Task EveryRunRoute_ForAnotherProjectsRun_Answers404AndChangesNothing()
    {
        var (a, b) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var clientA = platform.Client(a.ApiKey);
        using var apiB = new RunApiClient(platform.Client(b.ApiKey), platform.PostgresConnectionString);
        var jobId = await apiB.CreateJobAsync("http://example.com/run");
        var runId = await apiB.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddMinutes(10) });

        var responses = new[]
        {
            await clientA.GetAsync($"/v1/runs/{runId}"),
            await clientA.DeleteAsync($"/v1/runs/{runId}"),
            await clientA.PostAsync($"/v1/runs/{runId}/dlq-replay", null),
            await clientA.PostAsync($"/v1/runs/{runId}/replay", null),
            await clientA.PostAsync($"/v1/runs/{runId}/pause", null),
            await clientA.PostAsync($"/v1/jobs/{jobId}/trigger", JsonContent.Create(new { })),
            await clientA.GetAsync($"/v1/jobs/{jobId}/versions"),
            await clientA.PatchAsync($"/v1/jobs/{jobId}", JsonContent.Create(new { name = "taken" })),
            await clientA.DeleteAsync($"/v1/jobs/{jobId}"),
        };
        var events = await clientA.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events");
        var listed = await clientA.GetFromJsonAsync<JsonElement>("/v1/runs");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(0, events.GetProperty("data").GetArrayLength());
        Assert.Equal(0, listed.GetProperty("data").GetArrayLength());
        var run = await apiB.GetRunAsync(runId);
        Assert.Equal("delayed", run.GetProperty("status").GetString());
        Assert.Equal("job", (await apiB.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}")).GetProperty("name").GetString());
    }
}
