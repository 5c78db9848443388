namespace Strait.Contracts.Runs;

/// <summary>SDK <c>/complete</c>: the job code finished this attempt with <see cref="Result"/> (JSON).</summary>
public sealed record CompleteRun
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public string? Result { get; init; }
}
