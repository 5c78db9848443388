using Strait.RunsApi.Apis;
using Strait.RunsApi.Data;
using Strait.RunsApi.Scheduling;
using Strait.RunsApi.StateMachines;

namespace Strait.UnitTests.RunsApi;

public sealed class TriggerFieldsTests
{
    private static readonly JobRequest Valid = new(null, "n", "s", null, "https://example.com/hook", null, null, null,
        null, null, null, null, null, null, null, null, null, null, null);

    [Fact]
    public void ExecutionWindow_InsideAMatchingMinute_StaysPut()
    {
        var window = CronSchedule.TryParse("* 9-17 * * 1-5", null, out _)!;

        // Monday 2026-01-05 10:30:45 UTC.
        Assert.Null(ExecutionWindow.NextOpen(window, Utc(2026, 1, 5, 10, 30, 45)));
        Assert.Null(ExecutionWindow.NextOpen(window, Utc(2026, 1, 5, 17, 59, 59)));
    }

    [Fact]
    public void ExecutionWindow_Outside_MovesToTheNextMatchingMinute()
    {
        var window = CronSchedule.TryParse("* 9-17 * * 1-5", null, out _)!;

        Assert.Equal(Utc(2026, 1, 6, 9, 0), ExecutionWindow.NextOpen(window, Utc(2026, 1, 5, 18, 0, 1)));
        // Saturday → Monday 09:00.
        Assert.Equal(Utc(2026, 1, 12, 9, 0), ExecutionWindow.NextOpen(window, Utc(2026, 1, 10, 12, 0)));
    }

    [Fact]
    public void ExecutionWindow_IsLiteralCronMinutes_AndLocalToTheTimeZone()
    {
        // "0 9-17" matches minute 0 only; 09:00 in Paris is 08:00 UTC in January.
        var window = CronSchedule.TryParse("0 9-17 * * *", "Europe/Paris", out _)!;

        Assert.Null(ExecutionWindow.NextOpen(window, Utc(2026, 1, 5, 8, 0, 30)));
        Assert.Equal(Utc(2026, 1, 5, 9, 0), ExecutionWindow.NextOpen(window, Utc(2026, 1, 5, 8, 1)));
    }

    [Fact]
    public void ApplyExecutionWindow_DelaysTheRunAndShiftsItsExpiry()
    {
        var job = new Job { ProjectId = "p", Name = "n", Slug = "s", EndpointUrl = "https://example.com", VersionId = "v", ExecutionWindowCron = "0 12 * * *", RunTtlSecs = 60 };
        var now = Utc(2026, 1, 5, 10, 0, 30);
        var run = RunFactory.Create(job, new TriggerRequest(null, null, null, null, null, null, null, null), "{}", "h", now, "manual", null, []);

        TriggerIntake.ApplyExecutionWindow(job, run, now);

        Assert.Equal(nameof(RunStateMachine.Delayed), run.CurrentState);
        Assert.Equal(Utc(2026, 1, 5, 12, 0), run.ScheduledAt);
        Assert.Equal(Utc(2026, 1, 5, 12, 1), run.ExpiresAt);
    }

    [Fact]
    public void ApplyExecutionWindow_WithoutAWindow_LeavesTheRunQueued()
    {
        var job = new Job { ProjectId = "p", Name = "n", Slug = "s", EndpointUrl = "https://example.com", VersionId = "v" };
        var now = Utc(2026, 1, 5, 10, 0, 30);
        var run = RunFactory.Create(job, new TriggerRequest(null, null, null, null, null, null, null, null), "{}", "h", now, "manual", null, []);

        TriggerIntake.ApplyExecutionWindow(job, run, now);

        Assert.Equal(nameof(RunStateMachine.Queued), run.CurrentState);
        Assert.Null(run.ScheduledAt);
    }

    [Theory]
    [InlineData("* * * *", null, null, null, "execution_window_cron:")]
    [InlineData("0 25 * * *", null, null, null, "execution_window_cron:")]
    [InlineData(null, -1, null, null, "debounce_window_secs:")]
    [InlineData(null, null, -1, null, "batch_window_secs:")]
    [InlineData(null, null, 10, -1, "batch_max_size:")]
    [InlineData(null, 5, 5, null, "debounce_window_secs: debounce and batch windows are mutually exclusive")]
    [InlineData(null, null, null, 10, "batch_max_size: requires batch_window_secs")]
    public void BadTriggerFields_AreNamed(string? window, int? debounce, int? batch, int? maxSize, string expected)
    {
        var errors = JobValidation.ValidateCreate(Valid with { ExecutionWindowCron = window, DebounceWindowSecs = debounce, BatchWindowSecs = batch, BatchMaxSize = maxSize });

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void GoodTriggerFields_Pass()
    {
        Assert.Empty(JobValidation.ValidateCreate(Valid with { ExecutionWindowCron = "* 9-17 * * 1-5", DebounceWindowSecs = 30 }));
        Assert.Empty(JobValidation.ValidateCreate(Valid with { BatchWindowSecs = 30, BatchMaxSize = 100 }));
    }

    [Fact]
    public void TriggerKeys_LongerThan256_AreRefused()
    {
        var request = new TriggerRequest(null, null, null, null, null, null, null, null) { DebounceKey = new string('k', 257), BatchKey = new string('k', 256) };

        var errors = RunFactory.Validate(request, DateTimeOffset.UtcNow);

        Assert.Equal(["debounce_key: must be at most 256 characters"], errors);
    }

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);
}
