using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Strait.Dispatcher.Data;
using Strait.ServiceDefaults.Hosting;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Endpoint circuit breakers (semantics.md §4.2): <see cref="DispatcherDbContext.EndpointCircuits"/> holds the truth,
/// written with each reported outcome; this replica keeps a copy of the circuits that are open or counting failures,
/// renewed every second and at once by its own writes, for the two places that must not query on every run: the
/// direct dispatch path (an open circuit sends the attempt through admission, which reads the table) and the success
/// path (which resets a count only where there is one).
/// </summary>
public sealed partial class EndpointCircuits(IServiceScopeFactory scopeFactory, IOptions<DeliveryOptions> options, TimeProvider time,
    ILogger<EndpointCircuits> logger) : PollingService(time, logger)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private volatile ConcurrentDictionary<(string ProjectId, string EndpointUrl), Known> known = new();

    // Guards the swap of a refreshed copy against this replica's own writes (Apply), so neither is lost.
    private readonly Lock writes = new();
    private long lastWrite;

    /// <summary>Whether this replica knows the endpoint's circuit to be open at <paramref name="now"/>.</summary>
    public bool IsOpen(string projectId, string endpointUrl, DateTimeOffset now) =>
        known.TryGetValue((projectId, endpointUrl), out var state) && state.OpenedUntil > now;

    /// <summary>
    /// Records a reported call's effect in the outcome's transaction; apply the returned state after it commits.
    /// <paramref name="failuresPending"/>: the transaction has recorded a failure of this endpoint already, which the
    /// known circuits do not show yet.
    /// </summary>
    public async Task<EndpointCircuit?> RecordAsync(DispatcherDbContext db, string projectId, string endpointUrl, bool succeeded,
        CancellationToken cancellationToken, bool failuresPending = false)
    {
        var now = Time.GetUtcNow();
        if (succeeded)
        {
            var isKnown = known.TryGetValue((projectId, endpointUrl), out var state);
            if (!failuresPending && (!isKnown || state.Failures == 0))
            {
                return null;
            }

            var reset = await db.EndpointCircuits.FromSql($"""
                UPDATE dispatch.endpoint_circuits AS c SET consecutive_failures = 0, updated_at = {now}
                WHERE c.project_id = {projectId} AND c.endpoint_url = {endpointUrl} AND c.consecutive_failures > 0
                RETURNING c.*
                """).AsNoTracking().ToListAsync(cancellationToken);
            // Nothing to reset: another replica did, or a failure earlier in this transaction opened the circuit (which
            // starts its count again), whose state is the one to keep.
            return reset.Count > 0 ? reset[0]
                : failuresPending ? null
                : new EndpointCircuit { ProjectId = projectId, EndpointUrl = endpointUrl, ConsecutiveFailures = 0, OpenedUntil = state.OpenedUntil };
        }

        var threshold = options.Value.CircuitFailureThreshold;
        var openUntil = now + options.Value.CircuitOpenDuration;
        var rows = await db.EndpointCircuits.FromSql($"""
            INSERT INTO dispatch.endpoint_circuits AS c (project_id, endpoint_url, consecutive_failures, opened_until, updated_at)
            VALUES ({projectId}, {endpointUrl}, CASE WHEN 1 >= {threshold} THEN 0 ELSE 1 END,
                CASE WHEN 1 >= {threshold} THEN {openUntil} END, {now})
            ON CONFLICT (project_id, endpoint_url) DO UPDATE SET
                consecutive_failures = CASE WHEN c.consecutive_failures + 1 >= {threshold} THEN 0 ELSE c.consecutive_failures + 1 END,
                opened_until = CASE WHEN c.consecutive_failures + 1 >= {threshold} THEN {openUntil} ELSE c.opened_until END,
                updated_at = {now}
            RETURNING c.*
            """).AsNoTracking().ToListAsync(cancellationToken);
        var circuit = rows[0];
        if (circuit.OpenedUntil == openUntil)
        {
            LogOpened(projectId, endpointUrl, threshold, openUntil);
        }

        return circuit;
    }

    /// <summary>What this replica wrote and committed.</summary>
    public void Apply(EndpointCircuit? circuit)
    {
        if (circuit is not null)
        {
            lock (writes)
            {
                known[(circuit.ProjectId, circuit.EndpointUrl)] = new Known(circuit.ConsecutiveFailures, circuit.OpenedUntil, ++lastWrite);
            }
        }
    }

    protected override TimeSpan RetryDelay => RefreshInterval;

    protected override async Task<TimeSpan> PollAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        return RefreshInterval;
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DispatcherDbContext>();
        var now = Time.GetUtcNow();
        var writesBefore = Interlocked.Read(ref lastWrite);
        var rows = await db.EndpointCircuits.AsNoTracking()
            .Where(c => c.ConsecutiveFailures > 0 || c.OpenedUntil > now)
            .Select(c => new EndpointCircuit { ProjectId = c.ProjectId, EndpointUrl = c.EndpointUrl, ConsecutiveFailures = c.ConsecutiveFailures, OpenedUntil = c.OpenedUntil })
            .ToListAsync(cancellationToken);
        lock (writes)
        {
            known = Refreshed(rows, known, writesBefore);
        }
    }

    /// <summary>
    /// The copy to keep after a refresh: the rows read, except where this replica committed a write after the read
    /// began (<paramref name="writesBefore"/>). The read may have missed that write, and an open circuit forgotten
    /// for a second would let attempts through.
    /// </summary>
    internal static ConcurrentDictionary<(string ProjectId, string EndpointUrl), Known> Refreshed(IEnumerable<EndpointCircuit> rows,
        IReadOnlyDictionary<(string ProjectId, string EndpointUrl), Known> previous, long writesBefore)
    {
        var refreshed = new ConcurrentDictionary<(string ProjectId, string EndpointUrl), Known>(
            rows.Select(r => KeyValuePair.Create((r.ProjectId, r.EndpointUrl), new Known(r.ConsecutiveFailures, r.OpenedUntil, 0))));
        foreach (var (key, state) in previous)
        {
            if (state.Write > writesBefore)
            {
                refreshed[key] = state;
            }
        }

        return refreshed;
    }

    /// <summary>A circuit as this replica knows it; <see cref="Write"/> numbers its own writes (0: read from the table).</summary>
    internal readonly record struct Known(int Failures, DateTimeOffset? OpenedUntil, long Write);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {EndpointUrl} (project {ProjectId}) opened after {Failures} consecutive failures, until {Until}")]
    private partial void LogOpened(string projectId, string endpointUrl, int failures, DateTimeOffset until);
}
