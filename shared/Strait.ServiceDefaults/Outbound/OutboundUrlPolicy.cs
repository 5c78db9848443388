using System.Net;

namespace Strait.ServiceDefaults.Outbound;

/// <summary>
/// The check of an endpoint URL when it is saved: an IP literal or a local name (<c>localhost</c>, metadata hosts) must
/// pass <see cref="OutboundAddressPolicy"/> now. Other names are not resolved here (the answer could change anyway);
/// every call checks the address it actually connects to.
/// </summary>
public static class OutboundUrlPolicy
{
    private static readonly string[] MetadataHosts = ["metadata.google.internal", "metadata", "instance-data"];

    /// <summary>Why <paramref name="url"/> may not be called, or null when it may.</summary>
    public static string? Refusal(Uri url, OutboundOptions options)
    {
        var host = url.IdnHost.TrimEnd('.');
        if (options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (MetadataHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return $"endpoint host {host} is a cloud metadata service";
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return options.AllowLoopback ? null : $"endpoint host {host} is a loopback address";
        }

        return IPAddress.TryParse(url.HostNameType == UriHostNameType.IPv6 ? host.Trim('[', ']') : host, out var address)
            && !OutboundAddressPolicy.IsAllowed(address, options.AllowLoopback, options.AllowPrivateNetworks)
            ? $"endpoint address {address} is not allowed ({OutboundAddressPolicy.Classify(address)})"
            : null;
    }
}
