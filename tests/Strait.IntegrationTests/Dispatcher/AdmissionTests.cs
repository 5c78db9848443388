using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Consumers;
using Strait.Dispatcher.Data;

namespace Strait.IntegrationTests.Dispatcher;

[Collection(DispatcherCollection.Name)]
public sealed class AdmissionTests(DispatcherFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private JobEndpoint Endpoint => fixture.Endpoint;

    private OutcomeProbe Probe => fixture.Probe;

    [Fact]
    public async Task Admission_MaxConcurrency2SixRuns_NeverMoreThanTwoCallsAndAllDispatched()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var url = Endpoint.Route(async context =>
        {
            await gate.Task.WaitAsync(Wait);
            await Task.Delay(100);
            await context.Response.WriteAsync("{}");
        });
        var jobId = Guid.CreateVersion7();
        var projectId = "p-" + Guid.NewGuid().ToString("N")[..12];
        var start = DateTimeOffset.UtcNow;
        var runs = Enumerable.Range(0, 6)
            .Select(i => DispatcherFixture.Run(url, jobId, maxConcurrency: 2, projectId: projectId, createdAt: start.AddMilliseconds(i)))
            .ToList();

        foreach (var run in runs)
        {
            await fixture.DispatchAsync(run);
        }

        await Until(() => Endpoint.RequestsTo(url).Count == 2
            && Probe.All<RunWaitReasonChanged>(m => runs.Any(r => r.RunId == m.RunId) && m.WaitReason == "job_concurrency 2/2").Count == 4);

        var queues = await fixture.GetQueuesAsync(projectId);
        var job = Assert.Single(queues.GetProperty("data").EnumerateArray());
        Assert.Equal(jobId.ToString(), job.GetProperty("job_id").GetString());
        Assert.Equal(4, job.GetProperty("pending").GetInt32());
        Assert.Equal(2, job.GetProperty("active").GetInt32());
        Assert.Equal(4, job.GetProperty("waiting_reasons").GetProperty("job_concurrency 2/2").GetInt32());

        gate.SetResult();
        await Until(() => Probe.All<RunDispatchSucceeded>(m => runs.Any(r => r.RunId == m.RunId)).Count == 6);

        Assert.Equal(2, Endpoint.MaxConcurrency(url));
        Assert.Equal(6, Endpoint.RequestsTo(url).Count);
        // Each run that waited is told once that it no longer waits.
        Assert.Equal(4, Probe.All<RunWaitReasonChanged>(m => runs.Any(r => r.RunId == m.RunId) && m.WaitReason is null).Count);
        var emptied = await fixture.GetQueuesAsync(projectId);
        Assert.Empty(emptied.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task Admission_TwoReplicasOneJobCap_NeverMoreThanCapCalls()
    {
        await using var replica = fixture.StartReplica();
        string url = null!;
        url = Endpoint.Route(async context =>
        {
            // Each call is held until three are in flight (or 3 s passed), so the test sees the cap filled and not only
            // respected: with a fixed short delay a loaded machine finished calls before admission let the third in.
            var holdUntil = DateTime.UtcNow.AddSeconds(3);
            while (Endpoint.Concurrency(url) < 3 && DateTime.UtcNow < holdUntil)
            {
                await Task.Delay(20);
            }

            await Task.Delay(100);
            await context.Response.WriteAsync("{}");
        });
        var jobId = Guid.CreateVersion7();
        var start = DateTimeOffset.UtcNow;
        var runs = Enumerable.Range(0, 10)
            .Select(i => DispatcherFixture.Run(url, jobId, maxConcurrency: 3, createdAt: start.AddMilliseconds(i)))
            .ToList();

        foreach (var run in runs)
        {
            await fixture.DispatchAsync(run);
        }

        await Until(() => Probe.All<RunDispatchSucceeded>(m => runs.Any(r => r.RunId == m.RunId)).Count == 10);

        Assert.Equal(3, Endpoint.MaxConcurrency(url));
        Assert.Equal(10, Endpoint.RequestsTo(url).Count);
        Assert.Equal(10, Probe.All<RunDispatchStarted>(m => runs.Any(r => r.RunId == m.RunId)).Count);
    }

    [Fact]
    public async Task Admission_WaitingRunsOfDifferentPriorities_DispatchedByPriorityThenAge()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var url = Endpoint.Route(async context =>
        {
            order.Enqueue(context.Request.Headers["X-Run-ID"].ToString());
            await gate.Task.WaitAsync(Wait);
            await context.Response.WriteAsync("{}");
        });
        var jobId = Guid.CreateVersion7();
        var start = DateTimeOffset.UtcNow;
        var blocker = DispatcherFixture.Run(url, jobId, maxConcurrency: 1, createdAt: start);
        await fixture.DispatchAsync(blocker);
        await Until(() => Endpoint.RequestsTo(url).Count == 1);

        var low = DispatcherFixture.Run(url, jobId, priority: 1, maxConcurrency: 1, createdAt: start.AddSeconds(1));
        var highOld = DispatcherFixture.Run(url, jobId, priority: 5, maxConcurrency: 1, createdAt: start.AddSeconds(2));
        var middle = DispatcherFixture.Run(url, jobId, priority: 3, maxConcurrency: 1, createdAt: start.AddSeconds(3));
        var highNew = DispatcherFixture.Run(url, jobId, priority: 5, maxConcurrency: 1, createdAt: start.AddSeconds(4));
        DispatchRun[] waiting = [low, highNew, middle, highOld];
        foreach (var run in waiting)
        {
            await fixture.DispatchAsync(run);
        }

        await Until(() => Probe.All<RunWaitReasonChanged>(m => waiting.Any(r => r.RunId == m.RunId) && m.WaitReason == "job_concurrency 1/1").Count == 4);
        gate.SetResult();
        await Until(() => Probe.All<RunDispatchSucceeded>(m => m.RunId == low.RunId).Count == 1);

        Assert.Equal([blocker.RunId, highOld.RunId, highNew.RunId, middle.RunId, low.RunId], order.Select(Guid.Parse).ToArray());
    }

    [Fact]
    public async Task Admission_KeyAtItsLimit_OtherKeysStillAdmitted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var url = Endpoint.Route(async context =>
        {
            await gate.Task.WaitAsync(Wait);
            await context.Response.WriteAsync("{}");
        });
        var jobId = Guid.CreateVersion7();
        var start = DateTimeOffset.UtcNow;
        var acme1 = DispatcherFixture.Run(url, jobId, createdAt: start) with { ConcurrencyKey = "acme", MaxConcurrencyPerKey = 1 };
        var acme2 = DispatcherFixture.Run(url, jobId, createdAt: start.AddSeconds(1)) with { ConcurrencyKey = "acme", MaxConcurrencyPerKey = 1 };
        var beta = DispatcherFixture.Run(url, jobId, createdAt: start.AddSeconds(2)) with { ConcurrencyKey = "beta", MaxConcurrencyPerKey = 1 };
        var unkeyed = DispatcherFixture.Run(url, jobId, createdAt: start.AddSeconds(3)) with { MaxConcurrencyPerKey = 1 };

        // Commands of different runs are consumed concurrently, so the first holder of the key goes in alone.
        await fixture.DispatchAsync(acme1);
        await Until(() => Endpoint.RequestsTo(url).Count == 1);
        foreach (var run in new[] { acme2, beta, unkeyed })
        {
            await fixture.DispatchAsync(run);
        }

        await Probe.WaitForAsync<RunWaitReasonChanged>(m => m.RunId == acme2.RunId && m.WaitReason == "key_concurrency acme 1/1", Wait);
        await Until(() => Endpoint.RequestsTo(url).Count == 3);
        Assert.DoesNotContain(Endpoint.RequestsTo(url), r => r.Header("X-Run-ID") == acme2.RunId.ToString());

        gate.SetResult();
        await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == acme2.RunId, Wait);
    }

    [Fact]
    public async Task Admission_RateLimitReached_WaitsUntilWindowFrees()
    {
        var url = Endpoint.Route(context => context.Response.WriteAsync("{}"));
        var jobId = Guid.CreateVersion7();
        var start = DateTimeOffset.UtcNow;
        var runs = Enumerable.Range(0, 3)
            .Select(i => DispatcherFixture.Run(url, jobId, createdAt: start.AddMilliseconds(i)) with { RateLimitMax = 2, RateLimitWindowSecs = 3 })
            .ToList();

        await fixture.DispatchAsync(runs[0]);
        await fixture.DispatchAsync(runs[1]);
        await Until(() => Probe.All<RunDispatchStarted>(m => m.RunId == runs[0].RunId || m.RunId == runs[1].RunId).Count == 2);
        await fixture.DispatchAsync(runs[2]);

        var reason = await Probe.WaitForAsync<RunWaitReasonChanged>(m => m.RunId == runs[2].RunId && m.WaitReason != null, Wait);
        Assert.StartsWith("rate_limited until ", reason.WaitReason, StringComparison.Ordinal);
        await Until(() => Probe.All<RunDispatchSucceeded>(m => runs.Any(r => r.RunId == m.RunId)).Count == 3);

        var starts = runs.Select(r => Probe.All<RunDispatchStarted>(m => m.RunId == r.RunId).Single().StartedAt).ToList();
        var first = starts[0] < starts[1] ? starts[0] : starts[1];
        Assert.True(starts[2] - first >= TimeSpan.FromSeconds(2.9), $"third start {starts[2] - first} after the first");
        var until = DateTimeOffset.Parse(reason.WaitReason!["rate_limited until ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(starts[2], until.AddSeconds(-1), until.AddSeconds(5));
    }

    [Fact]
    public async Task Admission_AcceptedRunHoldsSlot_UntilReleased()
    {
        var url = Endpoint.Route(context =>
        {
            context.Response.StatusCode = 202;
            return Task.CompletedTask;
        });
        var jobId = Guid.CreateVersion7();
        var first = DispatcherFixture.Run(url, jobId, maxConcurrency: 1);
        var second = DispatcherFixture.Run(url, jobId, maxConcurrency: 1, createdAt: first.RunCreatedAt.AddSeconds(1));

        await fixture.DispatchAsync(first);
        await Probe.WaitForAsync<RunDispatchAccepted>(m => m.RunId == first.RunId, Wait);
        await fixture.DispatchAsync(second);
        await Probe.WaitForAsync<RunWaitReasonChanged>(m => m.RunId == second.RunId && m.WaitReason == "job_concurrency 1/1", Wait);

        // The saga releases an accepted attempt's slot when the job code completes it through the SDK.
        await fixture.SendAsync<RunCommandsConsumer, WithdrawRun>(new WithdrawRun { RunId = first.RunId, Attempt = 1, AbortCall = false });

        await Probe.WaitForAsync<RunDispatchAccepted>(m => m.RunId == second.RunId, Wait);
    }

    [Fact]
    public async Task Restart_WithdrawThenDispatchOfTheSameAttemptBackToBack_TheNewDispatchIsNeverLost()
    {
        // A restart of an executing run withdraws the attempt and dispatches it again in one saga step. Were the two
        // consumed out of order, the new dispatch would find the old row, add nothing, and then be withdrawn with it.
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var url = Endpoint.Route(async context =>
        {
            if (calls.AddOrUpdate(context.Request.Headers["X-Run-ID"].ToString(), 1, (_, n) => n + 1) == 1)
            {
                await Task.Delay(Wait, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return;
            }

            await context.Response.WriteAsync("{}");
        });
        var runs = Enumerable.Range(0, 10).Select(_ => DispatcherFixture.Run(url)).ToList();
        foreach (var run in runs)
        {
            await fixture.DispatchAsync(run);
        }

        await Until(() => Task.FromResult(runs.All(r => calls.ContainsKey(r.RunId.ToString()))));
        foreach (var run in runs)
        {
            // As the saga issues them: one step, one time.
            var restartedAt = DateTimeOffset.UtcNow;
            await fixture.SendAsync<RunCommandsConsumer, WithdrawRun>(new WithdrawRun { RunId = run.RunId, Attempt = 1, IssuedAt = restartedAt });
            await fixture.DispatchAsync(run with { IssuedAt = restartedAt });
        }

        foreach (var run in runs)
        {
            try
            {
                await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId, Wait);
            }
            catch (TimeoutException)
            {
                await using var db = fixture.OpenDb();
                var rows = await db.DispatchQueue.Where(e => e.RunId == run.RunId).Select(e => e.Status + " " + e.LeaseOwner).ToListAsync();
                var seen = Probe.All<object>().Select(m => m.GetType().Name + " " + System.Text.Json.JsonSerializer.Serialize(m)).Where(x => x.Contains(run.RunId.ToString(), StringComparison.Ordinal));
                throw new TimeoutException($"calls {calls.GetValueOrDefault(run.RunId.ToString())}; rows [{string.Join(",", rows)}]; seen {string.Join("; ", seen)}");
            }
        }
    }

    [Fact]
    public async Task Withdraw_OvertakesItsDispatch_TheLateDispatchIsNeverDelivered()
    {
        var url = Endpoint.Route(context => context.Response.WriteAsync("{}"));
        var run = DispatcherFixture.Run(url) with { IssuedAt = DateTimeOffset.UtcNow };

        // A cancel right after the trigger: its withdrawal is consumed before the dispatch it withdraws.
        await fixture.SendAsync<RunCommandsConsumer, WithdrawRun>(new WithdrawRun { RunId = run.RunId, Attempt = 1, IssuedAt = run.IssuedAt!.Value.AddMilliseconds(5) });
        await Until(async () =>
        {
            await using var db = fixture.OpenDb();
            return await db.DispatchWithdrawals.AnyAsync(w => w.RunId == run.RunId);
        });
        await fixture.DispatchAsync(run);
        // A later dispatch of the same run (a new attempt) still goes through.
        var next = run with { Attempt = 2, IssuedAt = DateTimeOffset.UtcNow };
        await fixture.DispatchAsync(next);

        await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId && m.Attempt == 2, Wait);
        await Task.Delay(300);
        Assert.Empty(Probe.All<RunDispatchSucceeded>(m => m.RunId == run.RunId && m.Attempt == 1));
        Assert.Equal(["2"], Endpoint.RequestsTo(url).Select(r => r.Header("X-Attempt")));
    }

    [Fact]
    public async Task Withdraw_PendingRun_NeverDispatched()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var url = Endpoint.Route(async context =>
        {
            await gate.Task.WaitAsync(Wait);
            await context.Response.WriteAsync("{}");
        });
        var jobId = Guid.CreateVersion7();
        var blocker = DispatcherFixture.Run(url, jobId, maxConcurrency: 1);
        var withdrawn = DispatcherFixture.Run(url, jobId, maxConcurrency: 1, createdAt: blocker.RunCreatedAt.AddSeconds(1));
        await fixture.DispatchAsync(blocker);
        // The two dispatches are consumed concurrently: the second must not reach admission before the blocker holds the slot.
        await Probe.WaitForAsync<RunDispatchStarted>(m => m.RunId == blocker.RunId, Wait);
        await fixture.DispatchAsync(withdrawn);
        await Probe.WaitForAsync<RunWaitReasonChanged>(m => m.RunId == withdrawn.RunId && m.WaitReason != null, Wait);

        await fixture.SendAsync<RunCommandsConsumer, WithdrawRun>(new WithdrawRun { RunId = withdrawn.RunId, Attempt = 1 });
        await Until(async () =>
        {
            await using var db = fixture.OpenDb();
            return !await db.DispatchQueue.AnyAsync(e => e.RunId == withdrawn.RunId);
        });
        gate.SetResult();
        await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == blocker.RunId, Wait);
        await Task.Delay(500);

        Assert.Single(Endpoint.RequestsTo(url));
        Assert.Empty(Probe.All<RunDispatchStarted>(m => m.RunId == withdrawn.RunId));
    }

    [Fact]
    public async Task Sweep_ActiveRowWithExpiredLease_ReportedInterruptedAndFreed()
    {
        var runId = Guid.CreateVersion7();
        await using (var db = fixture.OpenDb())
        {
            db.DispatchQueue.Add(new DispatchQueueEntry
            {
                RunId = runId,
                Attempt = 3,
                JobId = Guid.CreateVersion7(),
                ProjectId = "p-dispatcher-tests",
                EndpointUrl = "http://127.0.0.1:1/never",
                Payload = "{}",
                TimeoutSecs = 30,
                RunCreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                EnqueuedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
                Status = DispatchQueueStatus.Active,
                StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
                LeaseOwner = "crashed-replica/1/0000",
                LeaseExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-30),
            });
            await db.SaveChangesAsync();
        }

        var failed = await Probe.WaitForAsync<RunDispatchFailed>(m => m.RunId == runId, Wait);

        Assert.Equal(3, failed.Attempt);
        Assert.Equal("transient", failed.ErrorClass);
        Assert.Equal("dispatch interrupted", failed.Error);
        Assert.True(failed.Retryable);
        await using var check = fixture.OpenDb();
        Assert.False(await check.DispatchQueue.AnyAsync(e => e.RunId == runId));
    }

    [Fact]
    public async Task Lease_CallLongerThanLease_RenewedAndNotSwept()
    {
        // The fixture's lease is 4 s, renewed every second.
        var url = Endpoint.Route(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(6));
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { slow = true }));
        });
        var run = DispatcherFixture.Run(url, timeoutSecs: 20);

        await fixture.DispatchAsync(run);

        var succeeded = await Probe.WaitForAsync<RunDispatchSucceeded>(m => m.RunId == run.RunId, Wait);
        Assert.Equal("""{"slow":true}""", succeeded.Result);
        Assert.Empty(Probe.All<RunDispatchFailed>(m => m.RunId == run.RunId));
    }

    private static Task Until(Func<bool> condition) => Until(() => Task.FromResult(condition()));

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not reached within " + Wait);
            }

            await Task.Delay(50);
        }
    }
}
