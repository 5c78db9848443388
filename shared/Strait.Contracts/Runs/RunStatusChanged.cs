namespace Strait.Contracts.Runs;

/// <summary>
/// Published by the run saga on every transition, in the same transaction as the transition (outbox): the run's
/// timeline and the SDK guard's run copy (sdk-ingest) and, while a stream of the run is open, live streams (events)
/// are fed from it.
/// </summary>
public sealed record RunStatusChanged
{
    public required Guid RunId { get; init; }
    public required string ProjectId { get; init; }
    public required Guid JobId { get; init; }

    /// <summary>Null for the run's creation.</summary>
    public string? From { get; init; }

    public required string To { get; init; }
    /// <summary>The attempt the run was in before this transition (a retry's executing → queued names the failed attempt).</summary>
    public required int Attempt { get; init; }
    public string? Error { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// A status the run passed through on the way, entered at <see cref="ViaAt"/>: a quick call's outcome takes a run
    /// from queued through executing to completed in one step, told in one message. Readers show both transitions.
    /// </summary>
    public string? Via { get; init; }

    public DateTimeOffset? ViaAt { get; init; }

    /// <summary>
    /// Set on the first transition of a run whose creation was not told on its own: a run created queued, whose
    /// dispatch is already on its way, is announced by its first move instead (one message fewer per run for every
    /// reader). The run was created in <see cref="From"/> at this time; readers show that step first.
    /// </summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>
    /// The transitions this message tells, in order: the run's creation (<see cref="CreatedAt"/>), the step into
    /// <see cref="Via"/>, and the step this message names.
    /// </summary>
    public IReadOnlyList<RunStatusChanged> Steps()
    {
        if (Via is null && CreatedAt is null)
        {
            return [this];
        }

        var steps = new List<RunStatusChanged>(3);
        var last = this with { CreatedAt = null };
        if (CreatedAt is { } createdAt && From is not null)
        {
            steps.Add(last with { From = null, To = From, At = createdAt, Error = null, Via = null, ViaAt = null });
        }

        if (Via is not null)
        {
            steps.Add(last with { To = Via, At = ViaAt ?? At, Error = null, Via = null, ViaAt = null });
            last = last with { From = Via, Via = null, ViaAt = null };
        }

        steps.Add(last);
        return steps;
    }
}
