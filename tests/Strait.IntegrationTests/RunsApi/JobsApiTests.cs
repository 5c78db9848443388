using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

[Collection(PlatformCollection.Name)]
public sealed class JobsApiTests(PlatformFixture fixture)
{
    private readonly StraitPlatform platform = fixture.Platform;

    [Fact]
    public async Task Patch_ChangesOnlyGivenFields_BumpsVersionAndRecordsIt()
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        var jobId = await api.CreateJobAsync("http://example.com/run", new { description = "first", max_attempts = 4 });

        var patched = await api.Http.PatchAsJsonAsync($"/v1/jobs/{jobId}", new { timeout_secs = 60, description = "" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var job = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(60, job.GetProperty("timeout_secs").GetInt32());
        Assert.Equal(4, job.GetProperty("max_attempts").GetInt32());
        Assert.False(job.TryGetProperty("description", out _));
        Assert.Equal(2, job.GetProperty("version").GetInt32());
        var versions = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/versions");
        Assert.Equal([2, 1], versions.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var first = versions.GetProperty("data")[1];
        var byId = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}/versions/{first.GetProperty("version_id").GetString()}");
        Assert.Equal("first", byId.GetProperty("definition").GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("""{"endpoint_url":""}""")]
    [InlineData("""{"max_attempts":0}""")]
    [InlineData("""{"retry_strategy":"sometimes"}""")]
    [InlineData("""{"max_attempts":"three"}""")]
    public async Task Patch_BadInput_Returns400AndChangesNothing(string json)
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        var jobId = await api.CreateJobAsync("http://example.com/run");

        var response = await api.Http.PatchAsync($"/v1/jobs/{jobId}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var job = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{jobId}");
        Assert.Equal(1, job.GetProperty("version").GetInt32());
        Assert.Equal("http://example.com/run", job.GetProperty("endpoint_url").GetString());
    }

    [Fact]
    public async Task Create_DuplicateSlug_Returns409()
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        await api.Http.PostAsJsonAsync("/v1/jobs", new { name = "a", slug = "same", endpoint_url = "http://example.com/a" });

        var second = await api.Http.PostAsJsonAsync("/v1/jobs", new { name = "b", slug = "same", endpoint_url = "http://example.com/b" });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task PausedJob_RefusesTriggersWith409_UntilResumed()
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        var jobId = await api.CreateJobAsync("http://example.com/run");

        var pause = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/pause", new { reason = "maintenance" });
        var refused = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { });
        await api.Http.PostAsync($"/v1/jobs/{jobId}/resume", null);
        var accepted = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { dry_run = true });

        Assert.Equal("maintenance", (await pause.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pause_reason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Delete_RemovesTheJob()
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        var jobId = await api.CreateJobAsync("http://example.com/run");

        var delete = await api.Http.DeleteAsync($"/v1/jobs/{jobId}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/v1/jobs/{jobId}")).StatusCode);
    }

    [Fact]
    public async Task List_PagesWithCursor_NewestFirstWithoutGapsOrRepeats()
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await api.CreateJobAsync("http://example.com/run"));
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await api.Http.GetFromJsonAsync<JsonElement>("/v1/jobs?limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(j => j.GetProperty("id").GetString()!));
            cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.7/run")]
    [InlineData("http://metadata.google.internal/")]
    public async Task Create_EndpointAtAnInternalAddress_Returns400AndCreatesNothing(string url)
    {
        using var api = await RunApiClient.ForNewTenantAsync(platform);

        var response = await api.Http.PostAsJsonAsync("/v1/jobs", new { name = "x", slug = "ssrf", endpoint_url = url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("endpoint_url:", body.GetProperty("details")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await api.Http.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
    }
}
