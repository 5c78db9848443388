namespace Strait.Contracts.Runs;

/// <summary>
/// runs-api → dispatcher: this attempt no longer needs delivery or its slot (it left executing, was canceled or
/// expired): free its place in the queue or its concurrency slot.
/// </summary>
public sealed record WithdrawRun
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }

    /// <summary>
    /// Abort the HTTP call if it is still in flight (cancel, pause, timeout). False when the job code itself moved the
    /// run (SDK complete, fail, wait) from inside that call and is about to answer it.
    /// </summary>
    public bool AbortCall { get; init; } = true;

    /// <summary>
    /// When the saga decided it. Only dispatches of this attempt issued before it are withdrawn, and one issued before it
    /// that arrives later is ignored, so a withdrawal and a new dispatch of the same attempt (a restart) may be consumed
    /// in either order. Null withdraws whatever is there.
    /// </summary>
    public DateTimeOffset? IssuedAt { get; init; }
}
