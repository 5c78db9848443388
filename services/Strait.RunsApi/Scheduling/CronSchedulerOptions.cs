using System.ComponentModel.DataAnnotations;

namespace Strait.RunsApi.Scheduling;

/// <summary><c>Strait:Cron</c>: how the cron scheduler looks for due jobs.</summary>
public sealed class CronSchedulerOptions
{
    public const string SectionName = "Strait:Cron";

    /// <summary>The longest the scheduler sleeps between looks (it sleeps less when a job is due sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled { get; set; } = true;
}
