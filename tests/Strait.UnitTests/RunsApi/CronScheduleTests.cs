using Strait.RunsApi.Scheduling;

namespace Strait.UnitTests.RunsApi;

public sealed class CronScheduleTests
{
    [Fact]
    public void NextAfter_EveryFiveMinutes_IsTheNextMultipleOfFiveStrictlyAfter()
    {
        var schedule = CronSchedule.TryParse("*/5 * * * *", null, out _)!;

        Assert.Equal(Utc(2026, 1, 1, 10, 5), schedule.NextAfter(Utc(2026, 1, 1, 10, 0)));
        Assert.Equal(Utc(2026, 1, 1, 10, 5), schedule.NextAfter(Utc(2026, 1, 1, 10, 4, 59)));
    }

    [Fact]
    public void NextAfter_InATimeZone_FiresAtLocalTime()
    {
        // 09:00 in New York is 14:00 UTC in January (EST) and 13:00 UTC in July (EDT).
        var schedule = CronSchedule.TryParse("0 9 * * *", "America/New_York", out _)!;

        Assert.Equal(Utc(2026, 1, 15, 14, 0), schedule.NextAfter(Utc(2026, 1, 15, 12, 0)));
        Assert.Equal(Utc(2026, 7, 15, 13, 0), schedule.NextAfter(Utc(2026, 7, 15, 12, 0)));
    }

    [Fact]
    public void NextRunAt_LongAfterTheLastTick_ContinuesFromNowWithoutCatchingUp()
    {
        var now = Utc(2026, 3, 1, 12, 0, 30);

        Assert.Equal(Utc(2026, 3, 1, 12, 1), CronSchedule.NextRunAt("* * * * *", null, now));
        Assert.Null(CronSchedule.NextRunAt(null, null, now));
        Assert.Null(CronSchedule.NextRunAt("", "UTC", now));
    }

    [Theory]
    [InlineData("* * * *", "cron:")]
    [InlineData("* * * * * *", "cron:")]
    [InlineData("@hourly", "cron:")]
    [InlineData("x * * * *", "cron:")]
    [InlineData("0 0 31 2 *", "cron:")]
    public void TryParse_BadExpression_SaysWhy(string cron, string prefix)
    {
        Assert.Null(CronSchedule.TryParse(cron, null, out var error));
        Assert.StartsWith(prefix, error);
    }

    [Fact]
    public void TryParse_UnknownZone_IsATimezoneError()
    {
        Assert.Null(CronSchedule.TryParse("* * * * *", "Nowhere/Special", out var error));
        Assert.StartsWith("timezone:", error);
    }

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);
}
