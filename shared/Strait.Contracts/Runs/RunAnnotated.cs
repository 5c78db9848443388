namespace Strait.Contracts.Runs;

/// <summary>
/// Published by sdk-ingest (outbox, with the annotation rows) when job code annotates its run: <see cref="Annotations"/>
/// is the run's whole SDK annotation set after the call, so applying the newest message is enough. runs-api merges it
/// into the run's <c>metadata</c> (same keys overwritten, other keys kept).
/// </summary>
public sealed record RunAnnotated
{
    public required Guid RunId { get; init; }
    public required IReadOnlyDictionary<string, string> Annotations { get; init; }
    public required DateTimeOffset At { get; init; }
}
