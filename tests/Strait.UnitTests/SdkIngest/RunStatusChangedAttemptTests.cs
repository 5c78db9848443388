using Strait.Contracts.Runs;
using Strait.SdkIngest.Consumers;

namespace Strait.UnitTests.SdkIngest;

public sealed class RunStatusChangedAttemptTests
{
    private static RunStatusChanged Change(string? from, string to, int attempt, string? error = null) => new()
    {
        RunId = Guid.NewGuid(), ProjectId = "p", JobId = Guid.NewGuid(), From = from, To = to, Attempt = attempt, Error = error, At = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void AttemptAfter_RetryWithError_StartsTheNextAttempt() =>
        Assert.Equal(3, RunStatusChangedConsumer.AttemptAfter(Change("executing", "queued", 2, "HTTP 500")));

    [Theory]
    [InlineData(null, "queued")]
    [InlineData("queued", "executing")]
    [InlineData("executing", "completed")]
    [InlineData("dead_letter", "queued")]
    public void AttemptAfter_OtherTransitions_KeepTheAttempt(string? from, string to) =>
        Assert.Equal(2, RunStatusChangedConsumer.AttemptAfter(Change(from, to, 2)));

    [Fact]
    public void AttemptAfter_DeadLetterReplay_NamesTheRestartedAttempt() =>
        Assert.Equal(1, RunStatusChangedConsumer.AttemptAfter(Change("dead_letter", "queued", 1)));

    [Fact]
    public void EventId_SameMessage_SameIdWithTheTransitionTimeInFront()
    {
        var at = DateTimeOffset.Parse("2026-11-23T15:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture);
        var messageId = Guid.NewGuid();

        var id = RunStatusChangedConsumer.EventId(at, messageId);

        Assert.Equal(id, RunStatusChangedConsumer.EventId(at, messageId));
        Assert.NotEqual(id, RunStatusChangedConsumer.EventId(at, Guid.NewGuid()));
        Assert.Equal(7, id.Version);
        var text = id.ToString("N");
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
        // A later transition sorts after, whatever its message id.
        Assert.True(string.CompareOrdinal(RunStatusChangedConsumer.EventId(at.AddMilliseconds(1), Guid.NewGuid()).ToString("N"), text) > 0);
    }

    [Fact]
    public void Steps_ChangeViaAStatus_TwoTransitionsWithDistinctStableIds()
    {
        var startedAt = DateTimeOffset.UtcNow.AddMilliseconds(-30);
        var change = Change("queued", "completed", 1) with { Via = "executing", ViaAt = startedAt };
        var messageId = Guid.NewGuid();

        var steps = RunStatusChangedConsumer.Steps(change, messageId).ToList();

        Assert.Equal(["queued>executing", "executing>completed"], steps.Select(s => $"{s.Change.From}>{s.Change.To}"));
        Assert.Equal(startedAt, steps[0].Change.At);
        Assert.Equal(change.At, steps[1].Change.At);
        Assert.NotEqual(steps[0].MessageId, steps[1].MessageId);
        Assert.Equal(steps.Select(s => s.MessageId), RunStatusChangedConsumer.Steps(change, messageId).Select(s => s.MessageId));
        Assert.Single(RunStatusChangedConsumer.Steps(Change("executing", "completed", 1), messageId));
    }

    [Fact]
    public void Steps_FirstTransitionTellingTheCreation_CreationThenViaThenItself_WithDistinctStableIds()
    {
        var createdAt = DateTimeOffset.UtcNow.AddMilliseconds(-80);
        var startedAt = createdAt.AddMilliseconds(30);
        var change = Change("queued", "completed", 1) with { Via = "executing", ViaAt = startedAt, CreatedAt = createdAt, Error = null };
        var messageId = Guid.NewGuid();

        var steps = RunStatusChangedConsumer.Steps(change, messageId).ToList();

        Assert.Equal([">queued", "queued>executing", "executing>completed"], steps.Select(s => $"{s.Change.From}>{s.Change.To}"));
        Assert.Equal([createdAt, startedAt, change.At], steps.Select(s => s.Change.At));
        Assert.All(steps, s => Assert.Null(s.Change.CreatedAt));
        Assert.Equal(3, steps.Select(s => s.MessageId).Distinct().Count());
        Assert.Equal(messageId, steps[0].MessageId);
        Assert.Equal(steps.Select(s => s.MessageId), RunStatusChangedConsumer.Steps(change, messageId).Select(s => s.MessageId));

        var plain = RunStatusChangedConsumer.Steps(Change("queued", "executing", 1) with { CreatedAt = createdAt }, messageId).ToList();
        Assert.Equal([">queued", "queued>executing"], plain.Select(s => $"{s.Change.From}>{s.Change.To}"));
    }
}
