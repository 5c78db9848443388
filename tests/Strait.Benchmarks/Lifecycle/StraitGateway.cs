using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Strait.Benchmarks.Lifecycle;

/// <summary>A run that reached <c>completed</c>, with the platform's own timestamps.</summary>
public sealed record CompletedRun(string Id, DateTimeOffset CreatedAt, DateTimeOffset FinishedAt)
{
    public double Ms => (FinishedAt - CreatedAt).TotalMilliseconds;
}

/// <summary>The public API calls the benchmarks make, through the gateway with the system's API key.</summary>
public sealed class StraitGateway : IDisposable
{
    /// <summary>The most items one bulk trigger takes (runs-api's <c>MaxBulkItems</c>).</summary>
    public const int BulkLimit = 500;

    private readonly StraitSystem system;

    public StraitGateway(StraitSystem system)
    {
        this.system = system;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = system.BaseUrl };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", system.ApiKey);
    }

    public HttpClient Http { get; }

    /// <summary>Creates a job (fresh slug) whose endpoint is <paramref name="endpointUrl"/>; returns its id.</summary>
    public async Task<string> CreateJobAsync(Uri endpointUrl, CancellationToken ct)
    {
        using var created = await Http.PostAsJsonAsync("/v1/jobs", new
        {
            project_id = system.ProjectId,
            name = "benchmark",
            slug = "bench-" + Guid.NewGuid().ToString("N")[..8],
            endpoint_url = endpointUrl.ToString(),
        }, ct);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> TriggerAsync(string jobId, CancellationToken ct) =>
        Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger", new { payload = new { n = 1 } }, ct);

    /// <summary>Triggers and returns the new run's id, or null when the platform refused.</summary>
    public async Task<string?> TriggerRunAsync(string jobId, CancellationToken ct)
    {
        using var response = await TriggerAsync(jobId, ct);
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()
            : null;
    }

    /// <summary>One bulk trigger of <paramref name="count"/> (at most <see cref="BulkLimit"/>) runs; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> TriggerBulkAsync(string jobId, int count, CancellationToken ct)
    {
        var items = Enumerable.Range(0, count).Select(_ => new { payload = new { n = 1 } }).ToList();
        using var response = await Http.PostAsJsonAsync($"/v1/jobs/{jobId}/trigger/bulk", new { items }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>Every completed run of the job.</summary>
    public async Task<List<CompletedRun>> CompletedRunsAsync(string jobId, CancellationToken ct)
    {
        var runs = new List<CompletedRun>();
        string? cursor = null;
        do
        {
            var page = await Http.GetFromJsonAsync<JsonElement>(
                $"/v1/runs?job_id={jobId}&status=completed&limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), ct);
            foreach (var run in page.GetProperty("data").EnumerateArray())
            {
                runs.Add(new CompletedRun(
                    run.GetProperty("id").GetString()!,
                    run.GetProperty("created_at").GetDateTimeOffset(),
                    run.GetProperty("finished_at").GetDateTimeOffset()));
            }

            cursor = page.GetProperty("has_more").GetBoolean() ? page.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);

        return runs;
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> runs of the job completed, or the timeout; returns those that did. While
    /// runs are still on their way it asks only whether one is left (one row), not for every completed run: listing
    /// thousands of runs twice a second took CPU from the very runs being measured.
    /// </summary>
    public async Task<List<CompletedRun>> WaitForCompletedAsync(string jobId, int expected, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (DateTime.UtcNow <= deadline && await AnyUnfinishedAsync(jobId, ct))
            {
                await Task.Delay(250, ct);
                continue;
            }

            var runs = await CompletedRunsAsync(jobId, ct);
            if (runs.Count >= expected || DateTime.UtcNow > deadline)
            {
                return runs;
            }

            await Task.Delay(500, ct);
        }
    }

    /// <summary>Whether a run of the job is still before its outcome (delayed, queued or executing).</summary>
    private async Task<bool> AnyUnfinishedAsync(string jobId, CancellationToken ct)
    {
        var page = await Http.GetFromJsonAsync<JsonElement>(
            $"/v1/runs?job_id={jobId}&statuses=delayed&statuses=queued&statuses=executing&limit=1", ct);
        return page.GetProperty("data").GetArrayLength() > 0;
    }

    public void Dispose() => Http.Dispose();
}
