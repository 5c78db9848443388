using Strait.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Strait.Gateway;

/// <summary>
/// Destinations are written as <c>http://&lt;service-name&gt;</c> in the route table. Here the name is looked up in the
/// Aspire-style <c>services:&lt;name&gt;:http:0</c> settings the app host passes; without one, the name stays as it is
/// and DNS resolves it (a Kubernetes Service of that name).
/// </summary>
public sealed class ServiceDestinationResolver(IConfiguration configuration) : IDestinationResolver
{
    public ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = destinations.ToDictionary(
            d => d.Key,
            d => Uri.TryCreate(d.Value.Address, UriKind.Absolute, out var uri) && uri.IsDefaultPort && !uri.Host.Contains('.', StringComparison.Ordinal)
                ? d.Value with { Address = ServiceEndpoints.Resolve(configuration, uri.Host).ToString() }
                : d.Value);
        return ValueTask.FromResult(new ResolvedDestinationCollection(resolved, null));
    }
}
