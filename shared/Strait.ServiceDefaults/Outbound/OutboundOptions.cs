namespace Strait.ServiceDefaults.Outbound;

/// <summary>
/// Which addresses Strait may call on a customer's behalf (job endpoints, webhooks); bound from <c>Strait:Outbound</c>,
/// one rule for the check at creation and the check at connect time.
/// </summary>
public sealed class OutboundOptions
{
    public const string SectionName = "Strait:Outbound";

    /// <summary>Allow 127.0.0.0/8 and ::1 (development and tests).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow RFC 1918, fc00::/7 and 100.64.0.0/10 (endpoints inside the operator's own network).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Host names (or IP literals) the operator trusts whatever they resolve to; compared case-insensitively.</summary>
    public List<string> AllowedHosts { get; set; } = [];
}
