using System.ComponentModel.DataAnnotations;

namespace Strait.RunsApi.StateMachines;

/// <summary>Bound from <c>Strait:Runs</c>.</summary>
public sealed class RunLifecycleOptions
{
    public const string SectionName = "Strait:Runs";

    /// <summary>An accepted (202) attempt is lost when no heartbeat arrives for this long.</summary>
    [Range(1, 86400)]
    public int HeartbeatTimeoutSecs { get; set; } = 60;

    /// <summary>
    /// Added to the job's timeout before the saga itself gives up on an attempt: the dispatcher enforces the timeout
    /// on the HTTP call, this deadline catches a dispatcher that died mid-call.
    /// </summary>
    [Range(0, 3600)]
    public int DeadlineGraceSecs { get; set; } = 15;

    /// <summary>Longest back-off between attempts.</summary>
    [Range(1, 86400)]
    public int MaxRetryDelaySecs { get; set; } = 3600;
}
