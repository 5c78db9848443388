namespace Strait.Events.Data;

/// <summary>A trigger waits, then is received (an event came), timed out, or canceled (by the API or because its run left the wait).</summary>
public static class EventTriggerStatuses
{
    public const string Waiting = "waiting";
    public const string Received = "received";
    public const string TimedOut = "timed_out";
    public const string Canceled = "canceled";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Waiting, Received, TimedOut, Canceled };
}
