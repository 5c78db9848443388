using Cronos;

namespace Strait.RunsApi.Scheduling;

/// <summary>A job's cron: exactly five fields (no seconds, no macros), evaluated in an IANA time zone (UTC when none).</summary>
public sealed class CronSchedule
{
    private readonly CronExpression expression;
    private readonly TimeZoneInfo zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        this.expression = expression;
        this.zone = zone;
    }

    /// <summary>The schedule, or null with the reason (<c>cron: …</c> / <c>timezone: …</c>) when it cannot be used.</summary>
    public static CronSchedule? TryParse(string cron, string? timezone, out string? error)
    {
        if (TimezoneProblem(timezone, out var zone) is { } zoneError)
        {
            error = zoneError;
            return null;
        }

        if (cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            error = "cron: must have exactly 5 fields (minute hour day-of-month month day-of-week)";
            return null;
        }

        if (!CronExpression.TryParse(cron, CronFormat.Standard, out var expression))
        {
            error = $"cron: '{cron}' is not a valid cron expression";
            return null;
        }

        var schedule = new CronSchedule(expression, zone);
        if (schedule.NextAfter(DateTimeOffset.UtcNow) is null)
        {
            error = $"cron: '{cron}' never fires";
            return null;
        }

        error = null;
        return schedule;
    }

    /// <summary>Null when the id names a time zone this machine knows (empty means UTC), else the reason.</summary>
    public static string? TimezoneProblem(string? timezone, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrEmpty(timezone))
        {
            return null;
        }

        if (timezone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var found))
        {
            return $"timezone: '{timezone}' is not a known IANA time zone";
        }

        zone = found;
        return null;
    }

    /// <summary>A job's next due time after <paramref name="now"/>: null without a cron (or with one that cannot be used).</summary>
    public static DateTimeOffset? NextRunAt(string? cron, string? timezone, DateTimeOffset now) =>
        string.IsNullOrEmpty(cron) ? null : TryParse(cron, timezone, out _)?.NextAfter(now);

    /// <summary>The first due time strictly after <paramref name="instant"/>, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant) =>
        expression.GetNextOccurrence(instant, zone, inclusive: false)?.ToUniversalTime();
}
