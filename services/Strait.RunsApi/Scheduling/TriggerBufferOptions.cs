using System.ComponentModel.DataAnnotations;

namespace Strait.RunsApi.Scheduling;

/// <summary><c>Strait:TriggerBuffers</c>: how often the debounce/batch poller looks for due entries.</summary>
public sealed class TriggerBufferOptions
{
    public const string SectionName = "Strait:TriggerBuffers";

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled { get; set; } = true;
}
