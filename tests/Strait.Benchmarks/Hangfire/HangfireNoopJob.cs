using System.Net.Http.Json;
using Hangfire.Server;

namespace Strait.Benchmarks.Hangfire;

/// <summary>The Hangfire job: the same POST to the same no-op endpoint that Strait's dispatcher makes for a run.</summary>
public static class HangfireNoopJob
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });

    /// <summary>Hangfire passes <paramref name="context"/> (enqueued as null); its job id goes in <c>X-Run-ID</c>.</summary>
    public static async Task PostAsync(string url, PerformContext? context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { n = 1 }) };
        request.Headers.TryAddWithoutValidation("X-Run-ID", context?.BackgroundJob.Id);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
