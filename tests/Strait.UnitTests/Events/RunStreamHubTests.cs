using System.Text.Json;
using Strait.Contracts.Runs;
using Strait.Contracts.Telemetry;
using Strait.Events.Streams;

namespace Strait.UnitTests.Events;

public sealed class RunStreamHubTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void StatusChange_ReachesOnlyTheRunsStreamListeners_AndTheTerminalOneIsFinalForBoth()
    {
        var hub = new RunStreamHub();
        var runId = Guid.CreateVersion7();
        using var stream = hub.Subscribe(runId, chunks: false);
        using var chunks = hub.Subscribe(runId, chunks: true);
        using var other = hub.Subscribe(Guid.CreateVersion7(), chunks: false);

        hub.Publish(Change(runId, "queued", "executing"));
        hub.Publish(Change(runId, "executing", "failed", error: "boom"));

        Assert.True(stream.Frames.TryRead(out var executing));
        Assert.True(stream.Frames.TryRead(out var failed));
        Assert.False(executing!.IsFinal);
        Assert.True(failed!.IsFinal);
        using var json = JsonDocument.Parse(failed.Json);
        Assert.Equal("status_change", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("executing", json.RootElement.GetProperty("from").GetString());
        Assert.Equal("boom", json.RootElement.GetProperty("error").GetString());
        Assert.Equal("2026-11-23T10:00:00Z", json.RootElement.GetProperty("timestamp").GetString());
        Assert.True(chunks.Frames.TryRead(out var final));
        Assert.True(final!.IsFinal);
        Assert.False(chunks.Frames.TryRead(out _));
        Assert.False(other.Frames.TryRead(out _));
    }

    [Fact]
    public void StatusChange_ViaExecuting_TwoFramesTheSecondFinal()
    {
        var hub = new RunStreamHub();
        var runId = Guid.CreateVersion7();
        using var stream = hub.Subscribe(runId, chunks: false);

        hub.Publish(Change(runId, "queued", "completed") with { Via = "executing", ViaAt = At.AddMilliseconds(-20) });

        Assert.True(stream.Frames.TryRead(out var executing));
        Assert.True(stream.Frames.TryRead(out var completed));
        using var first = JsonDocument.Parse(executing!.Json);
        using var second = JsonDocument.Parse(completed!.Json);
        Assert.Equal(("queued", "executing"), (first.RootElement.GetProperty("from").GetString(), first.RootElement.GetProperty("to").GetString()));
        Assert.Equal(("executing", "completed"), (second.RootElement.GetProperty("from").GetString(), second.RootElement.GetProperty("to").GetString()));
        Assert.False(executing.IsFinal);
        Assert.True(completed.IsFinal);
    }

    [Fact]
    public void FeedEntries_BecomeEventAndChunkFrames_ForTheMatchingListenersOnly()
    {
        var hub = new RunStreamHub();
        var runId = Guid.CreateVersion7();
        using var stream = hub.Subscribe(runId, chunks: false);
        using var chunks = hub.Subscribe(runId, chunks: true);

        hub.Publish(new RunFeedBatch
        {
            Entries =
            [
                Entry(runId, RunFeedKinds.Log, """{"id":"x","type":"log","level":"warn","message":"hello","data":{"k":1}}"""),
                Entry(runId, RunFeedKinds.Stream, """{"chunk":"abc","stream_id":"s1","done":true}"""),
                Entry(Guid.CreateVersion7(), RunFeedKinds.Progress, """{"type":"progress","message":"elsewhere"}"""),
            ],
        });

        Assert.True(stream.Frames.TryRead(out var log));
        Assert.False(stream.Frames.TryRead(out _));
        using var logJson = JsonDocument.Parse(log!.Json);
        Assert.Equal("event", logJson.RootElement.GetProperty("type").GetString());
        Assert.Equal("log", logJson.RootElement.GetProperty("event_type").GetString());
        Assert.Equal("warn", logJson.RootElement.GetProperty("level").GetString());
        Assert.Equal("hello", logJson.RootElement.GetProperty("message").GetString());
        Assert.Equal(1, logJson.RootElement.GetProperty("data").GetProperty("k").GetInt32());
        Assert.Equal(runId.ToString(), logJson.RootElement.GetProperty("run_id").GetString());
        Assert.True(chunks.Frames.TryRead(out var chunk));
        using var chunkJson = JsonDocument.Parse(chunk!.Json);
        Assert.Equal("stream_chunk", chunkJson.RootElement.GetProperty("type").GetString());
        Assert.Equal("abc", chunkJson.RootElement.GetProperty("chunk").GetString());
        Assert.Equal("s1", chunkJson.RootElement.GetProperty("stream_id").GetString());
        Assert.True(chunkJson.RootElement.GetProperty("done").GetBoolean());
    }

    [Fact]
    public void Dispose_Unsubscribes_AndASlowListenerKeepsOnlyTheNewestFrames()
    {
        var hub = new RunStreamHub();
        var runId = Guid.CreateVersion7();
        var first = hub.Subscribe(runId, chunks: false);
        using var slow = hub.Subscribe(runId, chunks: false);
        first.Dispose();

        for (var i = 0; i < RunStreamListener.BufferSize + 10; i++)
        {
            hub.Publish(Change(runId, "queued", "executing", error: i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(1, hub.ListenerCount(runId));
        Assert.True(slow.Frames.TryRead(out var oldest));
        Assert.Contains("\"error\":\"10\"", oldest!.Json, StringComparison.Ordinal);
        slow.Dispose();
        Assert.Equal(0, hub.ListenerCount(runId));
    }

    private static RunStatusChanged Change(Guid runId, string from, string to, string? error = null) => new()
    {
        RunId = runId, ProjectId = "p", JobId = Guid.CreateVersion7(), From = from, To = to, Attempt = 1, Error = error, At = At,
    };

    private static RunFeedEntry Entry(Guid runId, string kind, string data) => new() { RunId = runId, ProjectId = "p", Kind = kind, Data = data, At = At };
}
