namespace Strait.Contracts.Runs;

/// <summary>
/// SDK <c>/wait-for-event</c> (and spawn with await): executing → waiting until <see cref="ResumeWaitingRun"/> or
/// <see cref="TimeoutAt"/>. Answered with <see cref="RunCommandResult"/>.
/// </summary>
public sealed record RequestRunWait
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset TimeoutAt { get; init; }
}
