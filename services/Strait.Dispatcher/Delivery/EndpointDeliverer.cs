using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Data;
using Strait.Dispatcher.Outbound;
using Strait.ServiceDefaults.Security;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Delivers one admitted attempt (ARCHITECTURE §3): <c>POST endpoint_url</c> with the payload bytes and the run headers,
/// within the attempt's timeout, and turns whatever happens into the outcome message with its execution trace.
/// </summary>
public sealed partial class EndpointDeliverer(
    EndpointHttpClient http, RunTokenService runTokens, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<EndpointDeliverer> logger)
{
    public const string ActivitySourceName = "Strait.Dispatcher";

    private static readonly ActivitySource Activities = new(ActivitySourceName);

    // Headers the dispatcher owns; a forwarded entry of DispatchRun.Headers never replaces them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Transfer-Encoding", "Content-Length", "Content-Type", "Expect", "Upgrade",
        "X-Run-ID", "X-Job-ID", "X-Attempt", "X-Run-Token", RequestSignature.SignatureHeader, RequestSignature.TimestampHeader,
    };

    /// <summary>The outcome to report, or null when <paramref name="cancellationToken"/> ended the call (withdrawn, shutting down).</summary>
    /// <remarks>
    /// When the endpoint answers 429 or cannot be reached (connection, transport error) and the job has a fallback
    /// endpoint, the same request (fresh token and signature) goes there within what is left of the attempt's timeout
    /// (semantics.md §4.1); its answer is the attempt's outcome. 5xx and timeouts do not use the fallback (a timeout
    /// leaves no time for it).
    /// </remarks>
    public async Task<DeliveryOutcome?> DeliverAsync(DispatchQueueEntry entry, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var queueWait = time.GetUtcNow() - entry.RunCreatedAt;
        var timeout = TimeSpan.FromSeconds(Math.Max(1, entry.TimeoutSecs));
        var extraHeaders = ParseHeaders(entry.Headers);

        // The call continues the trigger's trace, not whatever happened to be current on the admission loop.
        Activity.Current = null;
        using var activity = StartActivity(entry, extraHeaders);

        if (!TryEndpoint(entry.EndpointUrl, out var endpoint))
        {
            return Failed(entry, DispatchErrorClass.Client, false, $"invalid endpoint url: {entry.EndpointUrl}", null, null, Trace(queueWait, null, started, null, null));
        }

        var call = new Call(entry, Encoding.UTF8.GetBytes(entry.Payload), timeout, extraHeaders, activity, queueWait, started);
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var outcome = await CallAsync(call, endpoint, timeoutSource, linked.Token, cancellationToken);
        if (outcome?.Message is RunDispatchFailed { ErrorClass: DispatchErrorClass.RateLimited or DispatchErrorClass.Connection or DispatchErrorClass.Transient } failed
            && TryEndpoint(entry.FallbackEndpointUrl, out var fallback) && !linked.IsCancellationRequested)
        {
            LogFallback(entry.RunId, entry.Attempt, failed.ErrorClass, failed.Error);
            activity?.SetTag("strait.fallback", true);
            outcome = await CallAsync(call, fallback, timeoutSource, linked.Token, cancellationToken);
        }

        return outcome;
    }

    private sealed record Call(DispatchQueueEntry Entry, byte[] Body, TimeSpan Timeout, Dictionary<string, string> ExtraHeaders, Activity? Activity,
        TimeSpan QueueWait, long Started);

    private static bool TryEndpoint(string? url, [NotNullWhen(true)] out Uri? endpoint)
    {
        endpoint = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttp || parsed.Scheme == Uri.UriSchemeHttps)
            ? parsed
            : null;
        return endpoint is not null;
    }

    private async Task<DeliveryOutcome?> CallAsync(Call call, Uri endpoint, CancellationTokenSource timeoutSource, CancellationToken deadline,
        CancellationToken cancellationToken)
    {
        var (entry, activity) = (call.Entry, call.Activity);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(call.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Run-ID", entry.RunId.ToString());
        request.Headers.TryAddWithoutValidation("X-Job-ID", entry.JobId.ToString());
        request.Headers.TryAddWithoutValidation("X-Attempt", entry.Attempt.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("X-Run-Token", runTokens.Issue(entry.RunId, entry.Attempt, call.Timeout + options.Value.RunTokenMargin));
        if (!string.IsNullOrEmpty(entry.SigningSecret))
        {
            RequestSignature.Sign(request, entry.SigningSecret, call.Body, time.GetUtcNow());
        }

        foreach (var (name, value) in call.ExtraHeaders)
        {
            // With an activity, HttpClient propagates a child of it as traceparent; without one the trigger's is forwarded as is.
            var isTraceContext = name.Equals("traceparent", StringComparison.OrdinalIgnoreCase) || name.Equals("tracestate", StringComparison.OrdinalIgnoreCase);
            if (!ReservedHeaders.Contains(name) && !name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !(isTraceContext && activity is not null))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var timing = new DeliveryTiming();
        request.Options.Set(DeliveryTiming.Key, timing);

        long? headersAt = null;
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline);
            headersAt = time.GetTimestamp();
            var content = await ReadAtMostAsync(response.Content, options.Value.MaxResponseBytes, deadline);
            var trace = Trace(call.QueueWait, timing, call.Started, headersAt, time.GetTimestamp());
            var status = (int)response.StatusCode;
            activity?.SetTag("http.response.status_code", status);
            var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;
            return FromResponse(entry, status, content, retryAfter, trace);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && timeoutSource.IsCancellationRequested)
        {
            return Failed(entry, DispatchErrorClass.Timeout, true, $"endpoint timed out after {call.Timeout.TotalSeconds:0}s", null, null,
                Trace(call.QueueWait, timing, call.Started, headersAt, time.GetTimestamp()));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException)
        {
            var (errorClass, retryable, error) = ClassifyException(ex);
            LogDeliveryError(entry.RunId, entry.Attempt, errorClass, error);
            activity?.SetStatus(ActivityStatusCode.Error, error);
            return Failed(entry, errorClass, retryable, error, null, null, Trace(call.QueueWait, timing, call.Started, headersAt, time.GetTimestamp()));
        }
    }

    /// <summary>Maps a transport failure to (error class, retryable, error text); a refused address is permanent.</summary>
    public static (string ErrorClass, bool Retryable, string Error) ClassifyException(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundAddressRefusedException refused)
            {
                return (DispatchErrorClass.Client, false, "endpoint address refused: " + refused.Message);
            }
        }

        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } http)
        {
            return (DispatchErrorClass.Connection, true, "connection failed: " + http.Message);
        }

        var socket = exception as SocketException ?? exception.InnerException as SocketException;
        if (socket is not null)
        {
            return (DispatchErrorClass.Connection, true, "connection failed: " + socket.Message);
        }

        return (DispatchErrorClass.Transient, true, "request failed: " + exception.Message);
    }

    private DeliveryOutcome FromResponse(DispatchQueueEntry entry, int status, byte[] content, string? retryAfter, ExecutionTrace trace)
    {
        var disposition = ResponseDisposition.For(status);
        return disposition.Outcome switch
        {
            ResponseOutcome.Succeeded => new DeliveryOutcome(new RunDispatchSucceeded
            {
                RunId = entry.RunId,
                Attempt = entry.Attempt,
                StatusCode = status,
                Result = ResponseBodyResult.From(content),
                Trace = trace,
                StartedAt = entry.StartedAt,
            }, HoldsSlot: false),
            ResponseOutcome.Accepted => new DeliveryOutcome(
                new RunDispatchAccepted { RunId = entry.RunId, Attempt = entry.Attempt, Trace = trace, StartedAt = entry.StartedAt }, HoldsSlot: true),
            _ => Failed(entry, disposition.ErrorClass!, disposition.Retryable, $"endpoint returned {status}", status,
                disposition.Retryable ? RetryAfterHeader.ParseSeconds(retryAfter, time.GetUtcNow()) : null, trace),
        };
    }

    private static DeliveryOutcome Failed(DispatchQueueEntry entry, string errorClass, bool retryable, string error, int? status, int? retryAfterSecs,
        ExecutionTrace trace) =>
        new(new RunDispatchFailed
        {
            RunId = entry.RunId,
            Attempt = entry.Attempt,
            ErrorClass = errorClass,
            Error = error,
            Retryable = retryable,
            StatusCode = status,
            RetryAfterSecs = retryAfterSecs,
            Trace = trace,
            StartedAt = entry.StartedAt,
        }, HoldsSlot: false);

    private ExecutionTrace Trace(TimeSpan queueWait, DeliveryTiming? timing, long started, long? headersAt, long? ended)
    {
        var end = ended ?? time.GetTimestamp();
        var connect = timing?.ConnectEnded is { } connected ? time.GetElapsedTime(timing.ConnectStarted!.Value, connected) : TimeSpan.Zero;
        var requestSent = timing?.ConnectEnded ?? started;
        var ttfb = headersAt is { } h ? time.GetElapsedTime(requestSent, h) : TimeSpan.Zero;
        var transfer = headersAt is { } h2 ? time.GetElapsedTime(h2, end) : TimeSpan.Zero;
        return ExecutionTraceBuilder.Build(queueWait, connect, ttfb, transfer, time.GetElapsedTime(started, end));
    }

    private static async Task<byte[]> ReadAtMostAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(maxBytes, 64 * 1024)];
        using var kept = new MemoryStream();
        int read;
        while (kept.Length < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, maxBytes - kept.Length)), cancellationToken)) > 0)
        {
            kept.Write(buffer, 0, read);
        }

        return kept.ToArray();
    }

    private static Dictionary<string, string> ParseHeaders(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
    }

    private static Activity? StartActivity(DispatchQueueEntry entry, Dictionary<string, string> headers)
    {
        var traceparent = headers.FirstOrDefault(h => h.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase)).Value;
        var tracestate = headers.FirstOrDefault(h => h.Key.Equals("tracestate", StringComparison.OrdinalIgnoreCase)).Value;
        var hasParent = ActivityContext.TryParse(traceparent, tracestate, out var parent);

        var activity = Activities.StartActivity("dispatch run", ActivityKind.Internal, hasParent ? parent : default);
        if (activity is null && hasParent)
        {
            // Nobody samples our source: a bare activity still carries the trigger's trace into the request's traceparent.
            activity = new Activity("dispatch run");
            activity.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
            activity.TraceStateString = parent.TraceState;
            activity.Start();
        }

        activity?.SetTag("strait.run_id", entry.RunId.ToString());
        activity?.SetTag("strait.job_id", entry.JobId.ToString());
        activity?.SetTag("strait.attempt", entry.Attempt);
        return activity;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch of run {RunId} attempt {Attempt} failed ({ErrorClass}): {Error}")]
    private partial void LogDeliveryError(Guid runId, int attempt, string errorClass, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dispatch of run {RunId} attempt {Attempt} goes to the fallback endpoint ({ErrorClass}: {Error})")]
    private partial void LogFallback(Guid runId, int attempt, string errorClass, string error);
}
