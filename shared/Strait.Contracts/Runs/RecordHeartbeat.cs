namespace Strait.Contracts.Runs;

/// <summary>SDK <c>/heartbeat</c>: the job code of this attempt is alive.</summary>
public sealed record RecordHeartbeat
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
}
