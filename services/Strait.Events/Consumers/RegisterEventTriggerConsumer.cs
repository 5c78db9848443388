using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Events;
using Microsoft.Extensions.Options;
using Strait.Events.Data;

namespace Strait.Events.Consumers;

/// <summary>
/// Creates the waiting trigger an SDK wait asks for. The partial unique index (project, key) while waiting decides a
/// duplicate without an exception (which would abort the consume transaction): the insert simply does nothing. A project
/// at its quota of waiting triggers gets 429 (checked under a per-project lock, so concurrent waits cannot overshoot it).
/// </summary>
public sealed class RegisterEventTriggerConsumer(EventsDbContext db, IOptions<EventsOptions> options) : IConsumer<RegisterEventTrigger>
{
    public async Task Consume(ConsumeContext<RegisterEventTrigger> context)
    {
        var m = context.Message;
        if (await db.EventTriggers.AnyAsync(t => t.Id == m.TriggerId, context.CancellationToken))
        {
            // A retried request whose trigger exists: answered as the first time.
            await context.RespondAsync(new EventTriggerResult { TriggerId = m.TriggerId, Status = 200 });
            return;
        }

        var limit = options.Value.MaxActiveTriggersPerProject;
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"strait-event-quota:" + m.ProjectId}, 0))",
            context.CancellationToken);
        var active = await db.EventTriggers.CountAsync(t => t.ProjectId == m.ProjectId && t.Status == EventTriggerStatuses.Waiting,
            context.CancellationToken);
        if (active >= limit)
        {
            await context.RespondAsync(new EventTriggerResult
            {
                TriggerId = m.TriggerId,
                Status = 429,
                Error = $"project has reached its limit of {limit} active event triggers",
            });
            return;
        }

        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO events.event_triggers (id, project_id, event_key, source_type, run_id, status, trigger_type, notify_url,
                timeout_secs, expires_at, requested_at)
            VALUES ({m.TriggerId}, {m.ProjectId}, {m.EventKey}, {EventTriggerSources.JobRun}, {m.RunId}, {EventTriggerStatuses.Waiting},
                {m.TriggerType}, {m.NotifyUrl}, {m.TimeoutSecs}, {m.ExpiresAt.ToUniversalTime()}, {m.RequestedAt.ToUniversalTime()})
            ON CONFLICT DO NOTHING
            """, context.CancellationToken);

        // Nothing inserted: either this request's own row (a retried request) or another waiter holds the key.
        var ok = inserted > 0 || await db.EventTriggers.AnyAsync(t => t.Id == m.TriggerId, context.CancellationToken);
        await context.RespondAsync(new EventTriggerResult
        {
            TriggerId = m.TriggerId,
            Status = ok ? 200 : 409,
            Error = ok ? null : "event key already in use",
        });
    }
}
