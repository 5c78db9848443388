using System.Text.Json;
using MassTransit;
using Strait.Contracts.Runs;
using Strait.SdkIngest.Data;

namespace Strait.SdkIngest.Consumers;

/// <summary>
/// Puts every transition on the run's timeline as a <c>state_change</c> event. The saga committed the message with the
/// transition (outbox) and the inbox makes a redelivery a no-op, so the timeline holds each transition exactly once.
/// </summary>
public sealed class RunStatusChangedConsumer(IngestDbContext db) : IConsumer<RunStatusChanged>
{
    private static readonly HashSet<string> FailureStatuses = ["failed", "timed_out", "crashed", "system_failed", "dead_letter", "expired"];

    public async Task Consume(ConsumeContext<RunStatusChanged> context)
    {
        var change = context.Message;
        db.RunEvents.Add(new RunEvent
        {
            Id = Guid.CreateVersion7(change.At),
            RunId = change.RunId,
            ProjectId = change.ProjectId,
            Type = "state_change",
            Level = FailureStatuses.Contains(change.To) ? "error" : "info",
            Message = change.From is null ? $"created as {change.To}" : $"{change.From} → {change.To}",
            Data = JsonSerializer.SerializeToDocument(new { from = change.From, to = change.To, attempt = change.Attempt, error = change.Error }),
            CreatedAt = change.At,
        });
        await db.SaveChangesAsync(context.CancellationToken);
    }
}
