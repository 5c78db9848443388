namespace Strait.Dispatcher.Data;

/// <summary>A dispatch start of a job, kept for as long as the job's rate-limit window needs it.</summary>
public sealed class DispatchStart
{
    public long Id { get; init; }
    public Guid JobId { get; init; }
    public Guid RunId { get; init; }
    public int Attempt { get; init; }
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the row stops counting toward any window (start + the job's window at the time).</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}
