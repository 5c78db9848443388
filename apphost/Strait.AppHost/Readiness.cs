using System.Diagnostics;
using System.Net;

namespace Strait.AppHost;

/// <summary>Waits for <c>GET /health/ready</c> to answer 200.</summary>
public static class Readiness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task WaitAsync(HttpClient http, string name, Uri baseUrl, CancellationToken ct)
    {
        var probe = new Uri(baseUrl, "/health/ready");
        var elapsed = Stopwatch.StartNew();
        var last = "no answer";
        while (true)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(probe, attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                var body = await response.Content.ReadAsStringAsync(ct);
                last = $"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                last = "no answer within 5 s";
            }

            if (elapsed.Elapsed > Timeout)
            {
                throw new AppHostException(
                    $"{name} did not answer GET {probe} with 200 within {Timeout.TotalSeconds:0} s (last: {last}); "
                    + $"its own output above, prefixed [{name}], says why.");
            }

            await Task.Delay(250, ct);
        }
    }
}
