using MassTransit;
using Strait.Contracts.Runs;
using Strait.IntegrationTests.Dispatcher;
using Strait.IntegrationTests.Infrastructure;
using Strait.IntegrationTests.Platform;
using Strait.RunsApi.Consumers;

namespace Strait.IntegrationTests.RunsApi;

/// <summary>
/// The dispatcher's outcomes (success, 202, failure) go through the run saga in batches (<see cref="RunOutcomeBatchConsumer"/>): one transaction per
/// batch, each outcome once, duplicates and outcomes of unknown runs consumed without effect.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class RunOutcomeBatchTests(PlatformFixture fixture) : IAsyncLifetime
{
    private readonly StraitPlatform platform = fixture.Platform;
    private JobEndpoint endpoint = null!;
    private RunApiClient api = null!;
    private IBusControl bus = null!;

    public async Task InitializeAsync()
    {
        endpoint = await JobEndpoint.StartAsync();
        api = await RunApiClient.ForNewTenantAsync(platform);
        bus = await TestBus.StartAsync(platform.RabbitMqConnectionString, platform.EntityPrefix);
    }

    public async Task DisposeAsync()
    {
        await bus.StopAsync();
        api.Dispose();
        await endpoint.DisposeAsync();
    }

    [Fact]
    public async Task QuickRuns_CompleteThroughOutcomeBatches_EachWithOneCompletion()
    {
        var since = await Sql.ScalarAsync<DateTime>(platform.PostgresConnectionString, "SELECT now()");
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => Task.CompletedTask));

        var runIds = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => api.TriggerAsync(jobId)));
        foreach (var runId in runIds)
        {
            await api.WaitForStatusAsync(runId, "completed");
        }

        // A batch's inbox rows share their claim time: fewer distinct times than rows means outcomes shared transactions.
        var (rows, transactions) = await InboxClaimsSince(since);
        Assert.True(rows >= runIds.Length, $"{rows} outcomes claimed by the batch consumer for {runIds.Length} runs");
        Assert.True(transactions < rows, $"{rows} outcomes in {transactions} transactions: no batch held more than one");
        var timeline = await TimelineWhenCompleted(runIds[^1]);
        Assert.Equal(1, timeline.Count(t => t.EndsWith("->completed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnOutcomeDeliveredTwice_AndOneForAnUnknownRun_AreEachConsumedOnce()
    {
        var release = new TaskCompletionSource();
        var jobId = await api.CreateJobAsync(endpoint.Route(_ => release.Task));
        var runId = await api.TriggerAsync(jobId);
        await api.WaitForStatusAsync(runId, "executing");
        var outcome = new RunDispatchSucceeded
        {
            RunId = Guid.Parse(runId),
            Attempt = 1,
            StatusCode = 200,
            Result = """{"from":"test"}""",
            Trace = new ExecutionTrace(),
        };
        var messageId = NewId.NextGuid();
        var unknownId = NewId.NextGuid();

        await bus.Publish(outcome, c => c.MessageId = messageId);
        await bus.Publish(outcome with { Result = """{"from":"copy"}""" }, c => c.MessageId = messageId);
        await bus.Publish(outcome with { RunId = Guid.NewGuid() }, c => c.MessageId = unknownId);

        var run = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal("test", run.GetProperty("result").GetProperty("from").GetString());
        Assert.Equal(1L, await InboxRows(messageId));
        for (var deadline = DateTime.UtcNow.AddSeconds(10); await InboxRows(unknownId) == 0 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1L, await InboxRows(unknownId));
        release.SetResult();
        // The dispatcher's own outcome of the call comes after; the run keeps the first one.
        await Task.Delay(500);
        var after = await api.GetRunAsync(runId);
        Assert.Equal("completed", after.GetProperty("status").GetString());
        Assert.Equal("test", after.GetProperty("result").GetProperty("from").GetString());
        var timeline = await TimelineWhenCompleted(runId);
        Assert.Equal(1, timeline.Count(t => t.EndsWith("->completed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FailedAttempts_AreRetriedThroughTheBatches_AndEveryOutcomeTypeIsTheBatchConsumers()
    {
        var calls = 0;
        var url = endpoint.Route(c =>
        {
            c.Response.StatusCode = Interlocked.Increment(ref calls) <= 2 ? 503 : 200;
            return Task.CompletedTask;
        });
        var jobId = await api.CreateJobAsync(url, new { max_attempts = 3 });
        var runId = await api.TriggerAsync(jobId);

        var completed = await api.WaitForStatusAsync(runId, "completed");
        Assert.Equal(3, completed.GetProperty("attempt").GetInt32());
        Assert.Equal(3, endpoint.RequestsTo(url).Count);

        // An accepted and a failed outcome of unknown runs reach the batch consumer, not the saga's own queue.
        var accepted = NewId.NextGuid();
        var failed = NewId.NextGuid();
        await bus.Publish(new RunDispatchAccepted { RunId = Guid.NewGuid(), Attempt = 1, Trace = new ExecutionTrace() },
            c => c.MessageId = accepted);
        await bus.Publish(new RunDispatchFailed
        {
            RunId = Guid.NewGuid(), Attempt = 1, ErrorClass = "server", Error = "endpoint returned 503", Retryable = true,
        }, c => c.MessageId = failed);
        for (var deadline = DateTime.UtcNow.AddSeconds(10);
             (await InboxRows(accepted) == 0 || await InboxRows(failed) == 0) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1L, await InboxRows(accepted));
        Assert.Equal(1L, await InboxRows(failed));
    }

    private async Task<(long Rows, long Transactions)> InboxClaimsSince(DateTime since)
    {
        var stamp = since.ToString("O");
        var rows = await Sql.ScalarAsync<long>(platform.PostgresConnectionString,
            $"SELECT count(*) FROM runs.inbox_state WHERE consumer_id = '{RunOutcomeBatchConsumer.InboxConsumerId}' AND received >= '{stamp}'");
        var transactions = await Sql.ScalarAsync<long>(platform.PostgresConnectionString,
            $"SELECT count(DISTINCT received) FROM runs.inbox_state WHERE consumer_id = '{RunOutcomeBatchConsumer.InboxConsumerId}' AND received >= '{stamp}'");
        return (rows, transactions);
    }

    private Task<long> InboxRows(Guid messageId) => Sql.ScalarAsync<long>(platform.PostgresConnectionString,
        $"SELECT count(*) FROM runs.inbox_state WHERE consumer_id = '{RunOutcomeBatchConsumer.InboxConsumerId}' AND message_id = '{messageId}'");

    private async Task<List<string>> TimelineWhenCompleted(string runId)
    {
        var timeline = await api.TimelineAsync(runId);
        for (var deadline = DateTime.UtcNow.AddSeconds(10);
             !timeline.Any(t => t.EndsWith("->completed", StringComparison.Ordinal)) && DateTime.UtcNow < deadline;
             timeline = await api.TimelineAsync(runId))
        {
            await Task.Delay(100);
        }

        return timeline;
    }
}
