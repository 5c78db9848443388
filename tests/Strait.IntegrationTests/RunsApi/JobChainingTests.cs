using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>Job chaining (semantics.md §9.3) through the gateway: the downstream run after completion and after failure.</summary>
[Collection(PlatformCollection.Name)]
public sealed class JobChainingTests(PlatformFixture fixture) : IAsyncLifetime
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
    public async Task OnComplete_TriggersTheTargetOnceWithTheResultAsPayload()
    {
        var downstreamUrl = endpoint.Route(c => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        var downstream = await api.CreateJobAsync(downstreamUrl);
        var url = endpoint.Route(async c => await c.Response.WriteAsJsonAsync(new { total = 42 }));
        var source = await api.CreateJobAsync(url, new { on_complete_trigger_job = downstream });

        var runId = await api.TriggerAsync(source);

        await api.WaitForStatusAsync(runId, "completed");
        var chained = await WaitForRunsAsync(downstream, 1);
        var child = await api.WaitForStatusAsync(chained[0].GetProperty("id").GetString()!, "completed");
        Assert.Equal("chain", child.GetProperty("triggered_by").GetString());
        Assert.Equal(runId, child.GetProperty("parent_run_id").GetString());
        Assert.Equal(1, child.GetProperty("lineage_depth").GetInt32());
        Assert.Equal(runId, child.GetProperty("tags").GetProperty("source_run_id").GetString());
        var request = Assert.Single(endpoint.RequestsTo(downstreamUrl));
        Assert.Equal(42, JsonDocument.Parse(request.Body).RootElement.GetProperty("total").GetInt32());
        await Task.Delay(500);
        Assert.Single(await RunsOfAsync(downstream));
    }

    [Fact]
    public async Task OnFailure_TriggersTheTargetWithTheFailureSummary_AndACompletedRunTriggersNothing()
    {
        var downstreamUrl = endpoint.Route(c => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        var downstream = await api.CreateJobAsync(downstreamUrl);
        var url = endpoint.Route(c => { c.Response.StatusCode = 422; return Task.CompletedTask; });
        var source = await api.CreateJobAsync(url, new { on_failure_trigger_job = downstream, max_attempts = 1 });

        var runId = await api.TriggerAsync(source, new { payload = new { order = 7 } });

        await api.WaitForStatusAsync(runId, "dead_letter");
        var chained = await WaitForRunsAsync(downstream, 1);
        var child = await api.WaitForStatusAsync(chained[0].GetProperty("id").GetString()!, "completed");
        var payload = JsonDocument.Parse(Assert.Single(endpoint.RequestsTo(downstreamUrl)).Body).RootElement;
        Assert.Equal(runId, payload.GetProperty("source_run_id").GetString());
        Assert.Equal(source, payload.GetProperty("source_job_id").GetString());
        Assert.Equal("dead_letter", payload.GetProperty("status").GetString());
        Assert.Equal("client", payload.GetProperty("error_class").GetString());
        Assert.Equal(7, payload.GetProperty("original_input").GetProperty("order").GetInt32());
        Assert.Equal(runId, child.GetProperty("parent_run_id").GetString());

        // The same job's completed runs trigger nothing: only failures are chained here.
        var okUrl = endpoint.Route(c => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        var okSource = await api.CreateJobAsync(okUrl, new { on_failure_trigger_job = downstream });
        await api.WaitForStatusAsync(await api.TriggerAsync(okSource), "completed");
        await Task.Delay(700);
        Assert.Single(await RunsOfAsync(downstream));
    }

    [Fact]
    public async Task BadTargets_Are400AndChangeNothing_PatchSetsAndClears()
    {
        var target = await api.CreateJobAsync("http://example.com/t");
        var foreign = await other.CreateJobAsync("http://example.com/f");
        var job = await api.CreateJobAsync("http://example.com/j");

        var cases = new object[]
        {
            new { on_complete_trigger_job = "not-an-id" },
            new { on_failure_trigger_job = Guid.NewGuid().ToString() },
            new { on_complete_trigger_job = foreign },
            new { on_complete_trigger_workflow = "wf_1" },
            new { on_failure_payload_mapping = 5 },
        };
        foreach (var body in cases)
        {
            var response = await api.Http.PatchAsJsonAsync($"/v1/jobs/{job}", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var unchanged = await api.Http.GetFromJsonAsync<JsonElement>($"/v1/jobs/{job}");
        Assert.Equal(1, unchanged.GetProperty("version").GetInt32());
        Assert.False(unchanged.TryGetProperty("on_complete_trigger_job", out _));

        var set = await api.Http.PatchAsJsonAsync($"/v1/jobs/{job}", new { on_complete_trigger_job = target, on_complete_payload_mapping = new { total = "$.result.total" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var patched = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(target, patched.GetProperty("on_complete_trigger_job").GetString());
        Assert.Equal("$.result.total", patched.GetProperty("on_complete_payload_mapping").GetProperty("total").GetString());
        var cleared = await (await api.Http.PatchAsJsonAsync($"/v1/jobs/{job}", new { on_complete_trigger_job = "" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(cleared.TryGetProperty("on_complete_trigger_job", out _));

        var created = await api.Http.PostAsJsonAsync("/v1/jobs", new
        {
            name = "x", slug = "x-" + Guid.NewGuid().ToString("N")[..8], endpoint_url = "http://example.com/x",
            on_failure_trigger_job = foreign,
        });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
    }

    private async Task<List<JsonElement>> RunsOfAsync(string jobId) =>
        (await api.Http.GetFromJsonAsync<JsonElement>($"/v1/runs?job_id={jobId}")).GetProperty("data").EnumerateArray().ToList();

    private async Task<List<JsonElement>> WaitForRunsAsync(string jobId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var runs = await RunsOfAsync(jobId);
            if (runs.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, runs.Count);
                return runs;
            }

            await Task.Delay(100);
        }
    }
}
