namespace Strait.ServiceDefaults.Outbound;

/// <summary>What an IP address is, for the outbound (SSRF) rule in <see cref="OutboundAddressPolicy"/>.</summary>
public enum OutboundAddressClass
{
    Public,
    Loopback,

    /// <summary>RFC 1918, unique-local IPv6 (fc00::/7) and deprecated site-local IPv6.</summary>
    Private,

    /// <summary>Carrier-grade NAT, 100.64.0.0/10.</summary>
    SharedAddressSpace,

    LinkLocal,
    CloudMetadata,
    Unspecified,
    Multicast,

    /// <summary>Broadcast, documentation, benchmarking and other special-purpose ranges.</summary>
    Reserved,
}
