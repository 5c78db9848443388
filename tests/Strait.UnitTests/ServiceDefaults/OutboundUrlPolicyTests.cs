using Strait.ServiceDefaults.Outbound;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class OutboundUrlPolicyTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/run")]
    [InlineData("http://192.168.0.10:8080/run")]
    [InlineData("http://127.0.0.1/run")]
    [InlineData("http://localhost:9000/run")]
    [InlineData("http://[::1]/run")]
    [InlineData("http://metadata.google.internal/computeMetadata")]
    [InlineData("http://0.0.0.0/run")]
    public void Refusal_InternalAddresses_AreRefusedByDefault(string url) =>
        Assert.NotNull(OutboundUrlPolicy.Refusal(new Uri(url), new OutboundOptions()));

    [Theory]
    [InlineData("https://example.com/run")]
    [InlineData("http://93.184.216.34/run")]
    public void Refusal_PublicAddressesAndNames_AreAllowed(string url) =>
        Assert.Null(OutboundUrlPolicy.Refusal(new Uri(url), new OutboundOptions()));

    [Fact]
    public void Refusal_LoopbackAllowedByOperator_StillRefusesMetadataAndPrivate()
    {
        var options = new OutboundOptions { AllowLoopback = true };

        Assert.Null(OutboundUrlPolicy.Refusal(new Uri("http://localhost:9000/run"), options));
        Assert.Null(OutboundUrlPolicy.Refusal(new Uri("http://127.0.0.1:9000/run"), options));
        Assert.NotNull(OutboundUrlPolicy.Refusal(new Uri("http://169.254.169.254/"), options));
        Assert.NotNull(OutboundUrlPolicy.Refusal(new Uri("http://10.0.0.1/"), options));
    }

    [Fact]
    public void Refusal_AllowListedHost_IsAllowed()
    {
        var options = new OutboundOptions { AllowedHosts = ["10.0.0.5"] };

        Assert.Null(OutboundUrlPolicy.Refusal(new Uri("http://10.0.0.5/run"), options));
    }
}
