namespace Strait.Contracts.Runs;

/// <summary>
/// The saga's answer to a lifecycle command, as the HTTP status the caller should get: 200 done, 401 stale attempt,
/// 404 no such run, 409 not in a state that allows it, 410 already terminal.
/// </summary>
public sealed record RunCommandResult
{
    public required Guid RunId { get; init; }
    public required int Status { get; init; }
    public string? Error { get; init; }

    /// <summary>The run's status after the command (empty when the run does not exist).</summary>
    public required string RunStatus { get; init; }
}
