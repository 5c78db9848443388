using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Strait.Events.Clients;
using Strait.Events.Streams;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.Events.Apis;

/// <summary>
/// Live run streams (SSE, routes.md §3.2): <c>/v1/runs/{id}/stream</c> (status changes, log and progress entries) and
/// <c>/v1/runs/{id}/stream/chunks</c> (the SDK's stream chunks). Only what happens while the listener is connected; the
/// stream ends after the run's terminal status change.
/// </summary>
public static class RunStreamsApi
{
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keepalive\n\n");

    public static IEndpointRouteBuilder MapRunStreamsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/runs/{runId}").RequireScope(Scopes.RunsRead);
        group.MapGet("/stream", (string runId, HttpContext http, Caller caller, RunsApiClient runs, RunStreamHub hub, LiveFeedListener feed) =>
            StreamAsync(runId, chunks: false, http, caller, runs, hub, feed));
        group.MapGet("/stream/chunks", (string runId, HttpContext http, Caller caller, RunsApiClient runs, RunStreamHub hub, LiveFeedListener feed) =>
            StreamAsync(runId, chunks: true, http, caller, runs, hub, feed));
        return app;
    }

    private static async Task StreamAsync(string runIdText, bool chunks, HttpContext http, Caller caller, RunsApiClient runs, RunStreamHub hub,
        LiveFeedListener feed)
    {
        var ct = http.RequestAborted;
        if (!Guid.TryParse(runIdText, out var runId) || caller.ProjectId is null)
        {
            await ApiResults.WriteAsync(http, StatusCodes.Status404NotFound, "run not found");
            return;
        }

        // Listening starts (and the replica's feed queue is bound) before the status check, so nothing that happens
        // between the two is missed. runs-api, which owns the run, tells its status as the caller's project sees it.
        using var listener = hub.Subscribe(runId, chunks);
        await feed.EnsureListeningAsync(ct);
        var status = await runs.GetStatusAsync(runId, caller.ProjectId, ct);
        if (status is null)
        {
            await ApiResults.WriteAsync(http, StatusCodes.Status404NotFound, "run not found");
            return;
        }

        if (RunStreamHub.IsTerminal(status))
        {
            await ApiResults.WriteAsync(http, StatusCodes.Status410Gone, $"run already finished (status {status})");
            return;
        }

        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(ct);
        await http.Response.Body.WriteAsync(KeepAlive, ct);
        await http.Response.Body.FlushAsync(ct);
        try
        {
            await PumpAsync(listener, http.Response.Body, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The listener went away.
        }
    }

    private static async Task PumpAsync(RunStreamListener listener, Stream body, CancellationToken ct)
    {
        while (true)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(KeepAliveInterval);
            bool more;
            try
            {
                more = await listener.Frames.WaitToReadAsync(tick.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await body.WriteAsync(KeepAlive, ct);
                await body.FlushAsync(ct);
                continue;
            }

            if (!more)
            {
                return;
            }

            var final = false;
            while (listener.Frames.TryRead(out var frame))
            {
                if (frame.IsChunk == listener.Chunks)
                {
                    await body.WriteAsync(Encoding.UTF8.GetBytes($"data: {frame.Json}\n\n"), ct);
                }

                final |= frame.IsFinal;
            }

            await body.FlushAsync(ct);
            if (final)
            {
                return;
            }
        }
    }
}
