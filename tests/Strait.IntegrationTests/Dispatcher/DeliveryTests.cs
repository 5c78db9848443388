using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strait.Contracts.Runs;
using Strait.ServiceDefaults.Security;

namespace Strait.IntegrationTests.Dispatcher;

[Collection(DispatcherCollection.Name)]
public sealed class DeliveryTests(DispatcherFixture fixture)
{
    private JobEndpoint Endpoint => fixture.Endpoint;

    private OutcomeProbe Probe => fixture.Probe;

    [Fact]
    public async Task Dispatch_CallOutlivesTheStartNoticeDelay_StartAnnouncedBeforeTheOutcome()
    {
        var url = Endpoint.Route(async context =>
        {
            await Task.Delay(800);
            await context.Response.WriteAsync("done");
        });
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        var started = Assert.Single(Probe.All<RunDispatchStarted>(m => m.RunId == run.RunId));
        var order = Probe.All<object>().Where(m => m == (object)started || m == (object)succeeded).ToList();
        Assert.Equal([started, succeeded], order);
        Assert.Equal(1, started.Attempt);
        Assert.Equal(started.StartedAt, succeeded.StartedAt);
    }

    [Fact]
    public async Task Dispatch_EndpointAnswers200_SucceededWithResultTraceAndSignedRequest()
    {
        var url = Endpoint.Route(async context =>
        {
            // Task.Delay may wake up to a timer tick early and the trace truncates to whole milliseconds:
            // wait 25 ms so the first byte is surely 20 ms or more after the request.
            await Task.Delay(25);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"ok":true,"items":[1,2]}""");
        });
        var traceId = ActivityTraceId.CreateRandom();
        var run = DispatcherFixture.Run(url, signingSecret: "whsec-0123456789abcdef", payload: """{"order": 42, "note":"ü"}""",
            headers: new Dictionary<string, string>
            {
                ["traceparent"] = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01",
                ["X-Previous-Error"] = "endpoint returned 503",
            },
            createdAt: DateTimeOffset.UtcNow.AddSeconds(-2));

        await fixture.DispatchAsync(run);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        Assert.Equal(1, succeeded.Attempt);
        // A job without limits takes the direct path; a quick call needs no start notice, its outcome says when it began.
        Assert.InRange(succeeded.StartedAt!.Value, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow);
        Assert.Empty(Probe.All<RunDispatchStarted>(m => m.RunId == run.RunId));
        Assert.Equal(200, succeeded.StatusCode);
        Assert.Equal("""{"ok":true,"items":[1,2]}""", succeeded.Result);
        Assert.InRange(succeeded.Trace.QueueWaitMs, 2000, 60_000);
        Assert.InRange(succeeded.Trace.TtfbMs, 20, 10_000);
        Assert.Equal(succeeded.Trace.ConnectMs + succeeded.Trace.TtfbMs + succeeded.Trace.TransferMs, succeeded.Trace.DispatchMs);
        // Each part rounds a sub-millisecond span up to 1, so the sum may pass the total by a rounding or two.
        Assert.True(succeeded.Trace.TotalMs + 2 >= succeeded.Trace.DispatchMs, $"total {succeeded.Trace.TotalMs} < dispatch {succeeded.Trace.DispatchMs}");

        var request = Assert.Single(Endpoint.RequestsTo(url));
        Assert.Equal(Encoding.UTF8.GetBytes(run.Payload), request.Body);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(run.RunId.ToString(), request.Header("X-Run-ID"));
        Assert.Equal(run.JobId.ToString(), request.Header("X-Job-ID"));
        Assert.Equal("1", request.Header("X-Attempt"));
        Assert.Equal("endpoint returned 503", request.Header("X-Previous-Error"));
        Assert.Contains(traceId.ToString(), request.Header("traceparent"), StringComparison.Ordinal);

        // The signature is recomputed here from its definition, not with the dispatcher's own helper.
        var timestamp = long.Parse(request.Header("X-Strait-Timestamp"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-0123456789abcdef"),
            (byte[])[.. Encoding.ASCII.GetBytes($"{timestamp}."), .. request.Body]));
        Assert.Equal(expected, request.Header("X-Strait-Signature"));

        var tokens = fixture.Host.Services.GetRequiredService<RunTokenService>();
        Assert.True(tokens.TryValidate(request.Header("X-Run-Token"), out var claims, out _));
        Assert.Equal(run.RunId, claims!.RunId);
        Assert.Equal(1, claims.Attempt);
        Assert.True(claims.ExpiresAt > DateTimeOffset.UtcNow.AddSeconds(run.TimeoutSecs));
    }

    [Fact]
    public async Task Dispatch_ManyCallsEndingTogether_EachOutcomeReportedOnceAndEverySlotFreed()
    {
        // The endpoint holds every call until all have arrived, so their outcomes are reported together (in groups).
        const int count = 60;
        var arrived = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var url = Endpoint.Route(async context =>
        {
            if (Interlocked.Increment(ref arrived) == count)
            {
                release.TrySetResult();
            }

            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("ok");
        });
        var runs = Enumerable.Range(0, count).Select(_ => DispatcherFixture.Run(url)).ToList();

        await Task.WhenAll(runs.Select(run => fixture.DispatchAsync(run)));

        foreach (var run in runs)
        {
            await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        }

        await Task.Delay(300);
        var ids = runs.Select(r => r.RunId).ToHashSet();
        var reported = Probe.All<RunDispatchSucceeded>(m => ids.Contains(m.RunId));
        Assert.Equal(count, reported.Count);
        Assert.Equal(count, reported.Select(m => m.RunId).Distinct().Count());
        await using var db = fixture.OpenDb();
        Assert.Equal(0, await db.DispatchQueue.CountAsync(e => ids.Contains(e.RunId)));
    }

    [Fact]
    public async Task Dispatch_SameMessageDeliveredAgain_TogetherAndAfterTheOutcome_CalledOnce()
    {
        var url = Endpoint.Route(context => context.Response.WriteAsync("ok"));
        var run = DispatcherFixture.Run(url);
        var messageId = Guid.NewGuid();

        // Two copies at once (possibly in one batch), then one after the attempt's row is gone with its outcome.
        await Task.WhenAll(fixture.DispatchAsync(run, messageId), fixture.DispatchAsync(run, messageId));
        await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        await fixture.DispatchAsync(run, messageId);
        // A different message for another run, sent after the copy, shows the copy has been consumed.
        var later = DispatcherFixture.Run(url);
        await fixture.DispatchAsync(later);
        await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == later.RunId);
        await Task.Delay(300);

        Assert.Single(Endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == run.RunId.ToString());
        Assert.Single(Probe.All<RunDispatchSucceeded>(m => m.RunId == run.RunId));
    }

    [Fact]
    public async Task Dispatch_EndpointAnswersText_ResultIsJsonString()
    {
        var url = Endpoint.Route(context => context.Response.WriteAsync("done, not json"));
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        Assert.Equal(JsonSerializer.Serialize("done, not json"), succeeded.Result);
        Assert.Empty(Endpoint.RequestsTo(url)[0].Header("X-Strait-Signature"));
    }

    [Fact]
    public async Task Dispatch_EndpointAnswers202_Accepted()
    {
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = 202;
            return Task.CompletedTask;
        });
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var accepted = await Probe.WaitForAsync<RunDispatchAccepted>(m => m.RunId == run.RunId);
        Assert.Equal(1, accepted.Attempt);
        Assert.Empty(Probe.All<RunDispatchSucceeded>(m => m.RunId == run.RunId));
    }

    [Theory]
    [InlineData(503, "server", true)]
    [InlineData(500, "server", true)]
    [InlineData(404, "client", false)]
    [InlineData(401, "auth", false)]
    [InlineData(408, "timeout", true)]
    [InlineData(302, "unknown", true)]
    public async Task Dispatch_EndpointAnswersError_FailedWithClass(int status, string errorClass, bool retryable)
    {
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = status;
            if (status == 302)
            {
                // Redirects are never followed, wherever they point.
                context.Response.Headers.Location = "http://169.254.169.254/latest/meta-data";
            }

            return Task.CompletedTask;
        });
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal(errorClass, failed.ErrorClass);
        Assert.Equal(retryable, failed.Retryable);
        Assert.Equal(status, failed.StatusCode);
        Assert.Equal($"endpoint returned {status}", failed.Error);
        Assert.NotNull(failed.Trace);
        Assert.Single(Endpoint.RequestsTo(url));
    }

    [Fact]
    public async Task Dispatch_EndpointAnswers429WithRetryAfter_RetryAfterInMessage()
    {
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = "7";
            return Task.CompletedTask;
        });
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal("rate_limited", failed.ErrorClass);
        Assert.True(failed.Retryable);
        Assert.Equal(7, failed.RetryAfterSecs);
    }

    [Fact]
    public async Task Dispatch_EndpointSlowerThanTimeout_TimeoutFailure()
    {
        var url = Endpoint.Route(async context => await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted));
        var run = DispatcherFixture.Run(url, timeoutSecs: 1);

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal("timeout", failed.ErrorClass);
        Assert.True(failed.Retryable);
        Assert.Null(failed.StatusCode);
        // Cut at the 1 s timeout, not at the endpoint's 10 s answer (timers may fire a hair early; a loaded machine runs late).
        Assert.InRange(failed.Trace!.TotalMs, 950, 8000);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.20.30.40:8080/job")]
    [InlineData("http://[fd00:ec2::254]/")]
    public async Task Dispatch_EndpointAddressNotAllowed_PermanentClientFailure(string url)
    {
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal("client", failed.ErrorClass);
        Assert.False(failed.Retryable);
        Assert.StartsWith("endpoint address refused: ", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatch_NothingListens_RetryableConnectionFailure()
    {
        var url = $"http://127.0.0.1:{Platform.FreePort.Next()}/job";
        var run = DispatcherFixture.Run(url);

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal("connection", failed.ErrorClass);
        Assert.True(failed.Retryable);
    }

    [Fact]
    public async Task Dispatch_NothingListensAndAFallbackAnswers_SucceedsThroughTheFallbackWithTheSameRequest()
    {
        var primary = $"http://127.0.0.1:{Platform.FreePort.Next()}/job";
        var fallback = Endpoint.Route(async context => await context.Response.WriteAsJsonAsync(new { via = "fallback" }));
        var run = DispatcherFixture.Run(primary) with { FallbackEndpointUrl = fallback };

        await fixture.DispatchAsync(run);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId);
        Assert.Equal("""{"via":"fallback"}""", succeeded.Result);
        var request = Assert.Single(Endpoint.RequestsTo(fallback));
        Assert.Equal(run.RunId.ToString(), request.Header("X-Run-ID"));
        Assert.Equal(run.Payload, System.Text.Encoding.UTF8.GetString(request.Body));
        Assert.NotEmpty(request.Header("X-Run-Token"));
    }

    [Fact]
    public async Task Dispatch_PrimaryAnswers429_FallbackTried_ItsFailureIsTheOutcome()
    {
        var primary = Endpoint.Route(context => { context.Response.StatusCode = 429; return Task.CompletedTask; });
        var fallback = Endpoint.Route(context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        var run = DispatcherFixture.Run(primary) with { FallbackEndpointUrl = fallback };

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal(("server", 503), (failed.ErrorClass, failed.StatusCode));
        Assert.Single(Endpoint.RequestsTo(primary));
        Assert.Single(Endpoint.RequestsTo(fallback));
    }

    [Fact]
    public async Task Dispatch_PrimaryAnswers500_FallbackNotTried()
    {
        var primary = Endpoint.Route(context => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        var fallback = Endpoint.Route(context => { context.Response.StatusCode = 200; return Task.CompletedTask; });
        var run = DispatcherFixture.Run(primary) with { FallbackEndpointUrl = fallback };

        await fixture.DispatchAsync(run);

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == run.RunId);
        Assert.Equal("server", failed.ErrorClass);
        Assert.Empty(Endpoint.RequestsTo(fallback));
    }

    [Fact]
    public async Task Circuit_FiveConsecutiveFailures_HoldsTheNextAttemptWithAWaitReasonUntilItCloses()
    {
        // Every attempt fails but the held one: the circuit (open 3 s in this fixture) may close at any point of the test
        // on a loaded machine, and the held attempt must then succeed, not fail a sixth time.
        var held = DispatcherFixture.Run("");
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = context.Request.Headers["X-Run-ID"] == held.RunId.ToString() ? 200 : 503;
            return Task.CompletedTask;
        });
        held = held with { EndpointUrl = url };
        for (var i = 0; i < 5; i++)
        {
            var failing = DispatcherFixture.Run(url);
            await fixture.DispatchAsync(failing);
            await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == failing.RunId);
        }

        await fixture.DispatchAsync(held);

        var waiting = await Probe.WaitForAsync<RunWaitReasonChanged>(m => m.RunId == held.RunId && m.WaitReason != null);
        Assert.StartsWith("circuit_open until ", waiting.WaitReason, StringComparison.Ordinal);
        await Task.Delay(500);
        // The stated time is rounded up to the second: a second before it the circuit was certainly still open.
        var openUntil = DateTimeOffset.Parse(waiting.WaitReason!["circuit_open until ".Length..], CultureInfo.InvariantCulture).AddSeconds(-1);
        Assert.Equal(5, Endpoint.RequestsTo(url).Count(r => r.ReceivedAt < openUntil));
        // Another project's attempts to the same URL have a circuit of their own.
        var other = DispatcherFixture.Run(url, projectId: "p-other-circuit");
        await fixture.DispatchAsync(other);
        await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == other.RunId);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == held.RunId, TimeSpan.FromSeconds(15));
        Assert.Equal(200, succeeded.StatusCode);
        Assert.Equal(held.RunId.ToString(), Endpoint.RequestsTo(url)[^1].Header("X-Run-ID"));
    }

    [Fact]
    public async Task Circuit_ASuccessBetweenFailures_ResetsTheCount()
    {
        var statuses = new System.Collections.Concurrent.ConcurrentQueue<int>([503, 503, 503, 503, 200, 503, 503, 503, 503]);
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = statuses.TryDequeue(out var status) ? status : 200;
            return Task.CompletedTask;
        });

        for (var i = 0; i < 10; i++)
        {
            var run = DispatcherFixture.Run(url);
            await fixture.DispatchAsync(run);
            await Probe.WaitForAsync<object>(m => m is RunDispatchFailed f && f.RunId == run.RunId || m is RunDispatchSucceeded s && s.RunId == run.RunId);
        }

        // Never five failures in a row: every attempt was called, none held.
        Assert.Equal(10, Endpoint.RequestsTo(url).Count);
    }
}
