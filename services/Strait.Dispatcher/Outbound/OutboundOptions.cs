namespace Strait.Dispatcher.Outbound;

/// <summary>Which addresses job endpoints may resolve to; bound from <c>Dispatcher:Outbound</c>.</summary>
public sealed class OutboundOptions
{
    public const string SectionName = "Dispatcher:Outbound";

    /// <summary>Allow 127.0.0.0/8 and ::1 (development and tests).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow RFC 1918, fc00::/7 and 100.64.0.0/10 (endpoints inside the operator's own network).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Host names (or IP literals) the operator trusts whatever they resolve to; compared case-insensitively.</summary>
    public List<string> AllowedHosts { get; set; } = [];
}
