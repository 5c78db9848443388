using System.ComponentModel.DataAnnotations;

namespace Strait.Dispatcher.Admission;

/// <summary>The admission loop; bound from <c>Dispatcher:Admission</c>.</summary>
public sealed class AdmissionOptions
{
    public const string SectionName = "Dispatcher:Admission";

    /// <summary>The safety-net pass when nothing woke the loop (a missed notification, another replica's slot release).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pending attempts looked at per job in one pass.</summary>
    [Range(1, 10_000)]
    public int CandidatesPerJob { get; set; } = 100;

    /// <summary>Pending attempts looked at in one pass, across jobs.</summary>
    [Range(1, 100_000)]
    public int CandidatesPerPass { get; set; } = 1000;

    /// <summary>The retry delay when another replica held a job's admission lock.</summary>
    public TimeSpan LockBusyRetry { get; set; } = TimeSpan.FromMilliseconds(100);
}
