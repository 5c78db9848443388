using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Strait.Contracts.Runs;
using Strait.Dispatcher.Admission;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Consumers;

/// <summary>Queues an attempt for admission. The same (run, attempt) twice is one row; the inbox already drops redeliveries.</summary>
public sealed class DispatchRunConsumer(DispatcherDbContext db, TimeProvider time) : IConsumer<DispatchRun>
{
    public async Task Consume(ConsumeContext<DispatchRun> context)
    {
        var m = context.Message;
        var headers = m.Headers is { Count: > 0 } ? JsonSerializer.Serialize(m.Headers) : null;
        var now = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO dispatch.dispatch_queue (run_id, attempt, job_id, project_id, priority, concurrency_key, endpoint_url, signing_secret,
                timeout_secs, max_concurrency, max_concurrency_per_key, rate_limit_max, rate_limit_window_secs, payload, headers,
                run_created_at, enqueued_at, status)
            VALUES ({m.RunId}, {m.Attempt}, {m.JobId}, {m.ProjectId}, {m.Priority}, {NullIfEmpty(m.ConcurrencyKey)}, {m.EndpointUrl},
                {NullIfEmpty(m.SigningSecret)}, {m.TimeoutSecs}, {m.MaxConcurrency}, {m.MaxConcurrencyPerKey}, {m.RateLimitMax},
                {m.RateLimitWindowSecs}, {m.Payload}, CAST({headers} AS jsonb), {m.RunCreatedAt}, {now}, {DispatchQueueStatus.Pending})
            ON CONFLICT (run_id, attempt) DO NOTHING
            """, context.CancellationToken);
        await DispatchQueueSignal.NotifyOnCommitAsync(db, context.CancellationToken);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
