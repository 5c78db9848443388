using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>A tenant's view of the API through the gateway: jobs, triggers and runs, with waits for a run's status.</summary>
public sealed class RunApiClient(HttpClient http, string? postgres = null) : IDisposable
{
    public HttpClient Http { get; } = http;

    public static async Task<RunApiClient> ForNewTenantAsync(StraitPlatform platform)
    {
        var tenant = await platform.CreateTenantAsync();
        return new RunApiClient(platform.Client(tenant.ApiKey), platform.PostgresConnectionString);
    }

    public async Task<string> CreateJobAsync(string endpointUrl, object? settings = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = "job",
            ["slug"] = "job-" + Guid.NewGuid().ToString("N")[..10],
            ["endpoint_url"] = endpointUrl,
        };
        foreach (var property in settings?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(settings);
        }

        var response = await Http.PostAsJsonAsync("/v1/jobs", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<string> TriggerAsync(string jobId, object? body = null)
    {
        var response = await Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", body ?? new { payload = new { n = 1 } });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetRunAsync(string runId) => await Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}");

    public async Task<JsonElement> WaitForStatusAsync(string runId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonElement run;
        do
        {
            run = await GetRunAsync(runId);
            if (run.GetProperty("status").GetString() == status)
            {
                return run;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"run {runId} is {run.GetProperty("status").GetString()} ({run}), expected {status}; "
            + $"timeline {await DescribeTimelineAsync(runId)}; {await DescribeStoresAsync(runId)}; {ServiceLog.Describe()}");
    }

    private async Task<string> DescribeStoresAsync(string runId) =>
        postgres is not null && Guid.TryParse(runId, out var id) ? await StoreSnapshot.DescribeAsync(postgres, id) : "stores not known to this client";

    private async Task<string> DescribeTimelineAsync(string runId)
    {
        try
        {
            return $"[{string.Join(", ", await TimelineAsync(runId))}]";
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException)
        {
            return $"unknown ({exception.Message})";
        }
    }

    public async Task<List<string>> TimelineAsync(string runId) => (await StateChangesAsync(runId)).Select(Transition).ToList();

    /// <summary>The run's <c>state_change</c> events as the API lists them.</summary>
    public async Task<List<JsonElement>> StateChangesAsync(string runId)
    {
        var page = await Http.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/events?type=state_change");
        return page.GetProperty("data").EnumerateArray().ToList();
    }

    /// <summary>A <c>state_change</c> event as <c>from->to</c> (<c>->queued</c> for the creation).</summary>
    public static string Transition(JsonElement stateChange) =>
        $"{Str(stateChange.GetProperty("data"), "from")}->{Str(stateChange.GetProperty("data"), "to")}";

    public void Dispose() => Http.Dispose();

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
