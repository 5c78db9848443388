using Strait.RunsApi.Scheduling;

namespace Strait.RunsApi.Apis;

/// <summary>The rules of the trigger-path job fields (routes.md §3.1).</summary>
public static partial class JobValidation
{
    public const int MaxBufferWindowSecs = 2_592_000;
    public const int MaxBatchSize = 10_000;

    internal static void ValidateTriggerFields(JobRequest body, List<string> errors)
    {
        if (!string.IsNullOrEmpty(body.ExecutionWindowCron)
            && CronSchedule.TryParse(body.ExecutionWindowCron, body.Timezone, out var cronError) is null
            && cronError!.StartsWith("cron:", StringComparison.Ordinal))
        {
            // A bad timezone is reported once, by the timezone rule.
            errors.Add("execution_window_cron:" + cronError["cron:".Length..]);
        }

        Range(errors, "debounce_window_secs", body.DebounceWindowSecs, 0, MaxBufferWindowSecs);
        Range(errors, "batch_window_secs", body.BatchWindowSecs, 0, MaxBufferWindowSecs);
        Range(errors, "batch_max_size", body.BatchMaxSize, 0, MaxBatchSize);
        if (body.DebounceWindowSecs is > 0 && body.BatchWindowSecs is > 0)
        {
            errors.Add("debounce_window_secs: debounce and batch windows are mutually exclusive");
        }

        if (body.BatchMaxSize is > 0 && body.BatchWindowSecs is not > 0)
        {
            errors.Add("batch_max_size: requires batch_window_secs");
        }
    }
}
