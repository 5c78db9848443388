using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.SdkIngest.Data;

namespace Strait.SdkIngest.Consumers;

/// <summary>
/// Puts every transition on the run's timeline as a <c>state_change</c> event. The saga committed the message with the
/// transition (outbox) and the inbox makes a redelivery a no-op, so the timeline holds each transition exactly once.
/// In the same transaction it keeps the local run copy the SDK guard reads (<see cref="RunStateCopy"/>).
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
        await UpsertRunStateAsync(change, context.CancellationToken);
        await db.SaveChangesAsync(context.CancellationToken);
    }

    /// <summary>The attempt the run is in after <paramref name="change"/>: a retry (executing → queued with an error) starts the next one.</summary>
    public static int AttemptAfter(RunStatusChanged change) =>
        change is { From: "executing", To: "queued", Error: not null } ? change.Attempt + 1 : change.Attempt;

    // One statement, tolerant of concurrent and out-of-order deliveries: status and attempt follow the newest
    // transition. The attempt is not kept monotonic on purpose: a dead-letter replay starts the run over at attempt 1.
    private async Task UpsertRunStateAsync(RunStatusChanged change, CancellationToken ct)
    {
        var at = change.At.ToUniversalTime();
        var attempt = AttemptAfter(change);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO ingest.run_states (run_id, project_id, job_id, status, attempt, checkpoint_sequence, changed_at)
            VALUES ({change.RunId}, {change.ProjectId}, {change.JobId}, {change.To}, {attempt}, 0, {at})
            ON CONFLICT (run_id) DO UPDATE SET
                status = CASE WHEN excluded.changed_at >= run_states.changed_at THEN excluded.status ELSE run_states.status END,
                changed_at = GREATEST(run_states.changed_at, excluded.changed_at),
                attempt = CASE WHEN excluded.changed_at >= run_states.changed_at THEN excluded.attempt ELSE run_states.attempt END
            """, ct);
    }
}
