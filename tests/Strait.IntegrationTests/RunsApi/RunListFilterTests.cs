using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>The filters of <c>GET /v1/runs</c> against real rows: tags, metadata, batch, payload containment, statuses.</summary>
[Collection(PlatformCollection.Name)]
public sealed class RunListFilterTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private RunApiClient api = null!;
    private string jobId = null!;

    public async Task InitializeAsync()
    {
        api = await RunApiClient.ForNewTenantAsync(platform);
        // Runs scheduled a day ahead stay delayed: nothing is ever delivered to this address.
        jobId = await api.CreateJobAsync("http://127.0.0.1:9/never");
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ListRuns_ByTagMetadataPayloadAndBatch_ReturnsOnlyMatchingRuns()
    {
        var later = DateTimeOffset.UtcNow.AddDays(1);
        var red = await api.TriggerAsync(jobId, new { scheduled_at = later, tags = new { color = "red" }, payload = new { order = new { id = 7, lines = 2 } } });
        var blue = await api.TriggerAsync(jobId, new { scheduled_at = later, tags = new { color = "blue" }, payload = new { order = new { id = 8 } } });
        using var traced = new HttpRequestMessage(HttpMethod.Post, $"/v1/jobs/{jobId}/trigger")
        {
            Content = JsonContent.Create(new { scheduled_at = later }),
        };
        // tracestate: traceparent is added to every request by the client's own tracing.
        traced.Headers.Add("tracestate", "strait=filter-test");
        var tracedResponse = await api.Http.SendAsync(traced);
        var tracedId = (await tracedResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var bulk = await api.Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk", new { items = new[] { new { scheduled_at = later } } });
        var batch = await bulk.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = batch.GetProperty("batch_id").GetString();
        var batchRun = batch.GetProperty("results")[0].GetProperty("id").GetString();

        Assert.Equal([red], await IdsAsync("tag_key=color&tag_value=red"));
        Assert.Equal([blue, red], await IdsAsync("tag_key=color"));
        Assert.Equal([tracedId], await IdsAsync("metadata_key=tracestate"));
        Assert.Equal([tracedId], await IdsAsync("metadata_key=tracestate&metadata_value=strait%3Dfilter-test"));
        Assert.Empty(await IdsAsync("metadata_key=tracestate&metadata_value=other"));
        Assert.Equal([red], await IdsAsync("payload_contains=" + Uri.EscapeDataString("""{"order":{"id":7}}""")));
        Assert.Equal([batchRun!], await IdsAsync($"batch_id={batchId}"));
        Assert.Equal([batchRun!, tracedId, blue, red], await IdsAsync("triggered_by=manual&statuses[]=delayed&statuses=queued"));
        Assert.Empty(await IdsAsync("statuses=completed"));
    }

    [Theory]
    [InlineData("statuses=finished", "status is invalid")]
    [InlineData("statuses[]=queued&statuses[]=nope", "status is invalid")]
    [InlineData("tag_value=red", "tag_value requires tag_key")]
    [InlineData("metadata_value=x", "metadata_value requires metadata_key")]
    [InlineData("tag_key=a&metadata_key=b", "tag_key and metadata_key are mutually exclusive")]
    [InlineData("payload_contains=%7B%22a%22", "payload_contains must be valid JSON")]
    public async Task ListRuns_BadFilter_Returns400WithTheErrorBody(string query, string message)
    {
        var response = await api.Http.GetAsync("/v1/runs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(message, body.GetProperty("error").GetString());
        Assert.Equal("bad_request", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ListRuns_FilterMatchingAnotherProjectsRun_ReturnsNothing()
    {
        await api.TriggerAsync(jobId, new { scheduled_at = DateTimeOffset.UtcNow.AddDays(1), tags = new { secret = "yes" }, payload = new { secret = 1 } });
        using var other = await RunApiClient.ForNewTenantAsync(platform);

        var page = await other.Http.GetFromJsonAsync<JsonElement>("/v1/runs?tag_key=secret&payload_contains=" + Uri.EscapeDataString("""{"secret":1}"""));

        Assert.Equal(0, page.GetProperty("data").GetArrayLength());
    }

    private async Task<List<string>> IdsAsync(string query)
    {
        var page = await api.Http.GetFromJsonAsync<JsonElement>("/v1/runs?" + query);
        return page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
    }
}
