using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Strait.Contracts.Telemetry;
using Strait.SdkIngest.Apis;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.SdkIngest.Feed;
using Strait.ServiceDefaults.Data;
using Strait.ServiceDefaults.Hosting;

namespace Strait.SdkIngest.Writes;

/// <summary>
/// The single writer of SDK run events (<c>/log</c>, <c>/progress</c>, <c>/resources</c>). Concurrent calls queue their
/// event and await it; one loop takes everything queued (up to <see cref="MaxBatch"/>) and stores it with one
/// multi-row INSERT, which is one transaction, then answers every waiting call. A call is answered 201 only after its
/// row committed, so an acknowledged log is durable; under load the batches grow instead of the queue.
/// The run guard (semantics §5.2: run known, not terminal, token attempt current) is part of the INSERT itself, joined
/// against the local run copy, so a call costs no separate read and no event is stored for a run that has just ended;
/// the rows the join refused get their exact answer (404/410/401/409) from one read of the copy.
/// After the commit the batch's log and progress entries go to the live feed, best effort (<see cref="RunFeedPublisher"/>).
/// </summary>
public sealed class RunEventWriter : BackgroundService
{
    public const int MaxBatch = 1_000;
    private const int QueueCapacity = 20_000;

    private static readonly string[] AcceptedStatuses = ["executing", "waiting", "queued", "dequeued"];

    private const string InsertSql = """
        INSERT INTO ingest.run_events (id, run_id, project_id, type, level, message, data, created_at)
        SELECT t.id, t.run_id, s.project_id, t.type, t.level, t.message, CAST(t.data AS jsonb), t.created_at
        FROM unnest($1, $2, $3, $4, $5, $6, $7, $8) AS t(id, run_id, attempt, type, level, message, data, created_at)
        JOIN ingest.run_states s ON s.run_id = t.run_id AND s.attempt = t.attempt AND s.status = ANY($9)
        RETURNING id, project_id
        """;

    private readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly NpgsqlDataSource dataSource;
    private readonly IServiceScopeFactory scopes;
    private readonly RunFeedPublisher feed;
    private readonly JsonSerializerOptions json;
    private readonly ILogger<RunEventWriter> logger;
    private readonly Histogram<int> batchSizes;

    public RunEventWriter(IConfiguration configuration, IServiceScopeFactory scopes, RunFeedPublisher feed, IOptions<JsonOptions> json,
        ILogger<RunEventWriter> logger, IMeterFactory meters)
    {
        // Its own small pool: the writer holds at most one connection, and never waits behind the request handlers'.
        var connectionString = configuration.GetConnectionString("postgres") ?? throw new InvalidOperationException("ConnectionStrings:postgres is not set");
        dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(DatabaseExtensions.Tuned(connectionString)) { MaxPoolSize = 2 });
        this.scopes = scopes;
        this.feed = feed;
        this.json = json.Value.SerializerOptions;
        this.logger = logger;
        batchSizes = meters.Create("Strait.SdkIngest").CreateHistogram<int>("strait.sdk_ingest.event_batch_size");
    }

    /// <summary>Stores <paramref name="runEvent"/> if the run accepts telemetry from <paramref name="attempt"/>; completes after the commit.</summary>
    public async Task<RunEventWriteResult> AppendAsync(RunEvent runEvent, int attempt, string? feedKind, CancellationToken ct)
    {
        var pending = new Pending(runEvent, attempt, feedKind, new TaskCompletionSource<RunEventWriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(pending))
        {
            await queue.Writer.WriteAsync(pending, ct);
        }

        // Once queued the event is written whatever the caller does; a caller that went away just misses the answer.
        return await pending.Result.Task.WaitAsync(ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // What is queued is still written: the loop drains the closed queue, then ends.
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        dataSource.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var batch in queue.Reader.ReadGroupsAsync(MaxBatch))
        {
            try
            {
                await FlushAsync(batch);
            }
            catch (Exception e)
            {
                logger.LogError(e, "storing a batch of {Count} run events failed", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(e);
                }
            }
        }
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        batchSizes.Record(batch.Count);
        var n = batch.Count;
        var ids = new Guid[n];
        var runIds = new Guid[n];
        var attempts = new int[n];
        var types = new string[n];
        var levels = new string[n];
        var messages = new string?[n];
        var data = new string?[n];
        var createdAt = new DateTimeOffset[n];
        for (var i = 0; i < n; i++)
        {
            var e = batch[i].Event;
            ids[i] = e.Id;
            runIds[i] = e.RunId;
            attempts[i] = batch[i].Attempt;
            types[i] = e.Type;
            levels[i] = e.Level;
            messages[i] = e.Message;
            data[i] = e.Data?.RootElement.GetRawText();
            createdAt[i] = e.CreatedAt;
        }

        var stored = new Dictionary<Guid, string>(n);
        await using (var command = dataSource.CreateCommand(InsertSql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = runIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = attempts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = levels, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = messages, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = createdAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = AcceptedStatuses, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[reader.GetGuid(0)] = reader.GetString(1);
            }
        }

        var entries = new List<RunFeedEntry>(stored.Count);
        List<Pending>? refused = null;
        foreach (var pending in batch)
        {
            if (!stored.TryGetValue(pending.Event.Id, out var projectId))
            {
                (refused ??= []).Add(pending);
                continue;
            }

            pending.Result.TrySetResult(RunEventWriteResult.Stored(pending.Event));
            if (pending.FeedKind is { } kind)
            {
                entries.Add(new RunFeedEntry
                {
                    RunId = pending.Event.RunId,
                    ProjectId = projectId,
                    Kind = kind,
                    Data = JsonSerializer.Serialize(RunEventsApi.RunEventResponse.From(pending.Event), json),
                    At = pending.Event.CreatedAt,
                });
            }
        }

        if (entries.Count > 0)
        {
            feed.Enqueue(entries);
        }

        if (refused is not null)
        {
            await AnswerRefusedAsync(refused);
        }
    }

    private async Task AnswerRefusedAsync(List<Pending> refused)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IngestDbContext>();
        var runIds = refused.Select(p => p.Event.RunId).Distinct().ToList();
        var runs = await db.RunStates.AsNoTracking().Where(r => runIds.Contains(r.RunId)).ToDictionaryAsync(r => r.RunId);
        var seeder = scope.ServiceProvider.GetRequiredService<RunCopySeeder>();
        foreach (var runId in runIds.Where(id => !runs.ContainsKey(id)))
        {
            // Job code may report before the run's first status message has reached this service.
            if (await seeder.SeedAsync(db, runId, CancellationToken.None) is { } seeded)
            {
                runs[runId] = seeded;
            }
        }

        foreach (var pending in refused)
        {
            if (!pending.Retried && SdkRunGuard.Evaluate(runs.GetValueOrDefault(pending.Event.RunId), pending.Attempt) is null)
            {
                // Refused only because the copy was missing: written with the next batch.
                if (queue.Writer.TryWrite(pending with { Retried = true }))
                {
                    continue;
                }
            }

            // The join refused the row, so the copy said no at that moment even if it has moved on since.
            var refusal = SdkRunGuard.Evaluate(runs.GetValueOrDefault(pending.Event.RunId), pending.Attempt)
                ?? (StatusCodes.Status409Conflict, SdkRunGuard.NotActiveMessage);
            pending.Result.TrySetResult(RunEventWriteResult.Refused(refusal.Status, refusal.Message));
        }
    }

    private sealed record Pending(RunEvent Event, int Attempt, string? FeedKind, TaskCompletionSource<RunEventWriteResult> Result, bool Retried = false);
}

/// <summary>The outcome of one queued event: stored, or refused by the run guard with its status and message.</summary>
public sealed record RunEventWriteResult(RunEvent? Event, int Status, string? Message)
{
    public static RunEventWriteResult Stored(RunEvent e) => new(e, StatusCodes.Status201Created, null);

    public static RunEventWriteResult Refused(int status, string message) => new(null, status, message);
}
