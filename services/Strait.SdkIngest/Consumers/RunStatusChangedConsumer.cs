using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Strait.Contracts.Runs;
using Strait.Messaging;
using Strait.Messaging.Outbox;
using Strait.SdkIngest.Data;

namespace Strait.SdkIngest.Consumers;

/// <summary>
/// Puts every transition on the run's timeline as a <c>state_change</c> event and keeps the local run copy the SDK
/// guard reads (<see cref="Data.RunStateCopy"/>). The saga committed the message with the transition (outbox).
/// </summary>
/// <remarks>
/// Consumed in batches, one transaction and two statements per batch: the event's id is derived from the message id,
/// so a redelivered message inserts nothing (no inbox needed), and the run copy follows the newest transition whatever
/// the order of arrival, so the endpoint needs no partitioning by run id: one batch may hold several transitions of a
/// run (each its own timeline event; the copy takes the newest) and fills up to its message limit.
/// </remarks>
public sealed class RunStatusChangedConsumer(IngestDbContext db) : IConsumer<Batch<RunStatusChanged>>, ISelfDeduplicatingConsumer, IUnpartitionedConsumer
{
    private static readonly HashSet<string> FailureStatuses = ["failed", "timed_out", "crashed", "system_failed", "dead_letter", "expired"];

    public async Task Consume(ConsumeContext<Batch<RunStatusChanged>> context)
    {
        var batch = context.Message;
        var changes = batch.Select(c => (Change: c.Message, MessageId: c.MessageId ?? NewId.NextGuid())).ToList();
        var ct = context.CancellationToken;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await InsertEventsAsync(changes.SelectMany(c => Steps(c.Change, c.MessageId)).ToList(), ct);
        await UpsertRunStatesAsync(changes.Select(c => c.Change), ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>The attempt the run is in after <paramref name="change"/>: a retry (executing → queued with an error) starts the next one.</summary>
    public static int AttemptAfter(RunStatusChanged change) =>
        change is { From: "executing", To: "queued", Error: not null } ? change.Attempt + 1 : change.Attempt;

    /// <summary>
    /// The transitions a message tells (<see cref="RunStatusChanged.Steps"/>): itself, and before it the run's creation
    /// (<c>CreatedAt</c>) and the step into a status it passed through (<c>Via</c>), each with its own id derived from
    /// the message id and its place.
    /// </summary>
    public static IEnumerable<(RunStatusChanged Change, Guid MessageId)> Steps(RunStatusChanged change, Guid messageId) =>
        change.Steps().Select((step, i) => (step, Derived(messageId, i)));

    private static Guid Derived(Guid id, int place)
    {
        if (place == 0)
        {
            return id;
        }

        var bytes = id.ToByteArray();
        bytes[16 - place] ^= 0xFF;
        return new Guid(bytes);
    }

    /// <summary>
    /// A UUIDv7 for the event: its time part is the transition's (so the timeline sorts by it), the rest comes from the
    /// message id, so the same message always yields the same id.
    /// </summary>
    public static Guid EventId(DateTimeOffset at, Guid messageId)
    {
        Span<byte> bytes = stackalloc byte[16];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(messageId.ToByteArray(), hash);
        hash[..16].CopyTo(bytes);
        var milliseconds = at.ToUnixTimeMilliseconds();
        Span<byte> time = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(time, milliseconds);
        time[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }

    private async Task InsertEventsAsync(List<(RunStatusChanged Change, Guid MessageId)> changes, CancellationToken ct)
    {
        var ids = changes.Select(c => EventId(c.Change.At, c.MessageId)).ToArray();
        var runIds = changes.Select(c => c.Change.RunId).ToArray();
        var projects = changes.Select(c => c.Change.ProjectId).ToArray();
        var levels = changes.Select(c => FailureStatuses.Contains(c.Change.To) ? "error" : "info").ToArray();
        var messages = changes.Select(c => c.Change.From is null ? $"created as {c.Change.To}" : $"{c.Change.From} → {c.Change.To}").ToArray();
        var data = changes.Select(c => JsonSerializer.Serialize(new { from = c.Change.From, to = c.Change.To, attempt = c.Change.Attempt, error = c.Change.Error }))
            .ToArray();
        var at = changes.Select(c => c.Change.At.ToUniversalTime()).ToArray();
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO ingest.run_events (id, run_id, project_id, type, level, message, data, created_at)
            SELECT id, run_id, project_id, 'state_change', level, message, data::jsonb, created_at
            FROM unnest(@ids, @run_ids, @projects, @levels, @messages, @data, @at) AS e(id, run_id, project_id, level, message, data, created_at)
            ON CONFLICT (id) DO NOTHING
            """,
            [
                new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids },
                new NpgsqlParameter("run_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = runIds },
                new NpgsqlParameter("projects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = projects },
                new NpgsqlParameter("levels", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = levels },
                new NpgsqlParameter("messages", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages },
                new NpgsqlParameter("data", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = data },
                new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = at },
            ], ct);
    }

    // Status and attempt follow the newest transition, tolerant of concurrent and out-of-order deliveries. The attempt
    // is not kept monotonic on purpose: a dead-letter replay starts the run over at attempt 1.
    private async Task UpsertRunStatesAsync(IEnumerable<RunStatusChanged> changes, CancellationToken ct)
    {
        // One row per run (a statement may not update a row twice): the batch's newest transition of each run.
        var newest = changes.GroupBy(c => c.RunId).Select(g => g.Aggregate((a, b) => b.At >= a.At ? b : a)).ToList();
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO ingest.run_states (run_id, project_id, job_id, status, attempt, checkpoint_sequence, changed_at)
            SELECT run_id, project_id, job_id, status, attempt, 0, changed_at
            FROM unnest(@run_ids, @projects, @jobs, @statuses, @attempts, @at) AS s(run_id, project_id, job_id, status, attempt, changed_at)
            ON CONFLICT (run_id) DO UPDATE SET
                status = CASE WHEN excluded.changed_at >= run_states.changed_at THEN excluded.status ELSE run_states.status END,
                changed_at = GREATEST(run_states.changed_at, excluded.changed_at),
                attempt = CASE WHEN excluded.changed_at >= run_states.changed_at THEN excluded.attempt ELSE run_states.attempt END
            """,
            [
                new NpgsqlParameter("run_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = newest.Select(c => c.RunId).ToArray() },
                new NpgsqlParameter("projects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newest.Select(c => c.ProjectId).ToArray() },
                new NpgsqlParameter("jobs", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = newest.Select(c => c.JobId).ToArray() },
                new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = newest.Select(c => c.To).ToArray() },
                new NpgsqlParameter("attempts", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = newest.Select(AttemptAfter).ToArray() },
                new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = newest.Select(c => c.At.ToUniversalTime()).ToArray() },
            ], ct);
    }
}
