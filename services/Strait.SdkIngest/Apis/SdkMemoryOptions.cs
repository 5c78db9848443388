using System.ComponentModel.DataAnnotations;

namespace Strait.SdkIngest.Apis;

/// <summary>Job memory quotas (semantics §12: 1 MiB per key, 10 MiB per job); bound from <c>Strait:SdkIngest:Memory</c>.</summary>
public sealed class SdkMemoryOptions
{
    public const string SectionName = "Strait:SdkIngest:Memory";

    /// <summary>Largest value of one key, in bytes of its JSON text.</summary>
    [Range(1, int.MaxValue)]
    public int MaxValueBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest total of a job's live (unexpired) values, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxJobBytes { get; set; } = 10L * 1024 * 1024;
}
