namespace Strait.RunsApi.Scheduling;

/// <summary>
/// A job's execution window (semantics §7): literal cron minutes in the job's timezone. A manual trigger whose minute
/// does not match is moved to the next matching minute.
/// </summary>
public static class ExecutionWindow
{
    /// <summary>Null when the minute of <paramref name="instant"/> is inside the window, else the next minute that is.</summary>
    public static DateTimeOffset? NextOpen(CronSchedule window, DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        var minute = new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        return window.NextAfter(minute.AddTicks(-1)) == minute ? null : window.NextAfter(minute);
    }
}
