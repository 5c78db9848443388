using System.ComponentModel.DataAnnotations;

namespace Strait.Gateway;

/// <summary>Bound from the <c>Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Largest request body accepted (413 beyond it). 1 MiB, as the original.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Sustained requests per second per credential.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPermitsPerSecond { get; set; } = 2000;

    /// <summary>Burst allowance per credential above the sustained rate.</summary>
    [Range(1, 10_000_000)]
    public int RateLimitBurst { get; set; } = 4000;
}
