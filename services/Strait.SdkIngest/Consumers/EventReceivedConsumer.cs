using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Events;
using Strait.Contracts.Runs;
using Strait.SdkIngest.Apis;

namespace Strait.SdkIngest.Consumers;

/// <summary>
/// An event resolved a waiting run's trigger: its payload becomes a checkpoint (source <c>event</c>) and the run state
/// entry <c>event:&lt;key&gt;</c>, and only then is the run resumed (same transaction, outbox), so the resumed attempt
/// finds the payload. The inbox makes a redelivery a no-op.
/// The trigger is registered just before the run is parked, so an event sent in that instant can arrive while the run
/// is still executing: it is retried (message retry, then scheduled redelivery) until the run copy shows the wait, and
/// dropped if the run has finished meanwhile.
/// </summary>
public sealed class EventReceivedConsumer(Data.IngestDbContext db, ILogger<EventReceivedConsumer> logger) : IConsumer<EventReceived>
{
    public const string CheckpointSource = "event";

    public static string StateKey(string eventKey) => "event:" + eventKey;

    public async Task Consume(ConsumeContext<EventReceived> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var status = await db.RunStates.AsNoTracking().Where(r => r.RunId == m.RunId).Select(r => r.Status).FirstOrDefaultAsync(ct);
        if (status is not null && SdkRunGuard.TerminalStatuses.Contains(status))
        {
            logger.LogInformation("Event {EventKey} for run {RunId} arrived after the run ended ({Status}); not resumed", m.EventKey, m.RunId, status);
            return;
        }

        if (status != "waiting")
        {
            throw new RunNotWaitingYetException(m.RunId, status);
        }

        if (m.Payload is not null)
        {
            var at = m.ReceivedAt.ToUniversalTime();
            var id = Guid.CreateVersion7(at);
            await db.Database.ExecuteSqlAsync($"""
                WITH next AS (
                    UPDATE ingest.run_states SET checkpoint_sequence = checkpoint_sequence + 1
                    WHERE run_id = {m.RunId} RETURNING checkpoint_sequence)
                INSERT INTO ingest.run_checkpoints (id, run_id, sequence, source, state, created_at)
                SELECT {id}, {m.RunId}, checkpoint_sequence, {CheckpointSource}, CAST({m.Payload} AS jsonb), {at} FROM next
                """, ct);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO ingest.run_state_entries (run_id, key, value, updated_at)
                VALUES ({m.RunId}, {StateKey(m.EventKey)}, CAST({m.Payload} AS jsonb), {at})
                ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, ct);
        }

        await context.Publish(new ResumeWaitingRun { RunId = m.RunId, EventKey = m.EventKey }, ct);
    }
}
