using Strait.ServiceDefaults.Outbound;
using Microsoft.Extensions.Options;
using Strait.Dispatcher.Outbound;

namespace Strait.UnitTests.Dispatcher;

public sealed class OutboundConnectorTests
{
    [Fact]
    public async Task ResolveAllowed_PrivateLiteralNotAllowed_Refused()
    {
        var connector = Connector(new OutboundOptions());

        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => connector.ResolveAllowedAsync("10.1.2.3", CancellationToken.None));

        Assert.Equal("10.1.2.3 resolves to 10.1.2.3 (private)", refused.Message);
    }

    [Fact]
    public async Task ResolveAllowed_LoopbackAllowedByOption_Returned()
    {
        var connector = Connector(new OutboundOptions { AllowLoopback = true });

        var addresses = await connector.ResolveAllowedAsync("[::1]", CancellationToken.None);

        Assert.Equal("::1", Assert.Single(addresses).ToString());
    }

    [Fact]
    public async Task ResolveAllowed_HostOnAllowList_ReachesEvenMetadata()
    {
        var connector = Connector(new OutboundOptions { AllowedHosts = ["169.254.169.254"] });

        var addresses = await connector.ResolveAllowedAsync("169.254.169.254", CancellationToken.None);

        Assert.Single(addresses);
    }

    [Fact]
    public async Task ResolveAllowed_MetadataWithEverySwitchOn_StillRefused()
    {
        var connector = Connector(new OutboundOptions { AllowLoopback = true, AllowPrivateNetworks = true });

        await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => connector.ResolveAllowedAsync("169.254.169.254", CancellationToken.None));
    }

    private static OutboundConnector Connector(OutboundOptions options) => new(new StaticOptionsMonitor(options), TimeProvider.System);

    private sealed class StaticOptionsMonitor(OutboundOptions value) : IOptionsMonitor<OutboundOptions>
    {
        public OutboundOptions CurrentValue => value;

        public OutboundOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<OutboundOptions, string?> listener) => null;
    }
}
