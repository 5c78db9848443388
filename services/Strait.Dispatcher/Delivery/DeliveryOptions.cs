using System.ComponentModel.DataAnnotations;

namespace Strait.Dispatcher.Delivery;

/// <summary>HTTP delivery and its crash safety; bound from <c>Dispatcher:Delivery</c>.</summary>
public sealed class DeliveryOptions
{
    public const string SectionName = "Dispatcher:Delivery";

    /// <summary>Response bytes read and kept as the result; the rest is discarded.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Added to the attempt's timeout for the run token's lifetime, so the job code can still report at the deadline.</summary>
    public TimeSpan RunTokenMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an in-flight attempt stays claimed without a renewal; after that any replica reports it interrupted.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often leases of this replica's in-flight calls are renewed (well under <see cref="LeaseDuration"/>).</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expired leases are looked for.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a call on the direct path (a job without limits) runs before the saga is told the attempt is executing;
    /// quicker calls go from queued to their outcome with one message.
    /// </summary>
    public TimeSpan StartNoticeDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Consecutive failed calls to one endpoint of a project that open its circuit (semantics.md §4.2).</summary>
    [Range(1, 1000)]
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit keeps attempts to its endpoint waiting (wait reason <c>circuit_open until …</c>).</summary>
    public TimeSpan CircuitOpenDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Calls in flight on one replica; admission stops while it is reached.</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 200;
}
