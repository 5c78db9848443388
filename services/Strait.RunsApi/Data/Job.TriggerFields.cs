namespace Strait.RunsApi.Data;

/// <summary>The trigger-path fields of a job (semantics §6.5, §7): execution window, debounce and batching.</summary>
public sealed partial class Job
{
    /// <summary>5-field cron in the job's timezone: manual triggers outside a matching minute are delayed to the next one.</summary>
    public string? ExecutionWindowCron { get; set; }

    public int DebounceWindowSecs { get; set; }
    public int BatchWindowSecs { get; set; }
    public int BatchMaxSize { get; set; }
}
