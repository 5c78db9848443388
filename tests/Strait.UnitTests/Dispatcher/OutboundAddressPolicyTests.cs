using Strait.ServiceDefaults.Outbound;
using System.Net;
using Strait.Dispatcher.Outbound;

namespace Strait.UnitTests.Dispatcher;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("93.184.216.34", OutboundAddressClass.Public)]
    [InlineData("2606:4700:4700::1111", OutboundAddressClass.Public)]
    [InlineData("127.0.0.1", OutboundAddressClass.Loopback)]
    [InlineData("127.255.0.9", OutboundAddressClass.Loopback)]
    [InlineData("::1", OutboundAddressClass.Loopback)]
    [InlineData("::ffff:127.0.0.1", OutboundAddressClass.Loopback)]
    [InlineData("10.0.0.1", OutboundAddressClass.Private)]
    [InlineData("172.16.0.1", OutboundAddressClass.Private)]
    [InlineData("172.31.255.255", OutboundAddressClass.Private)]
    [InlineData("172.32.0.1", OutboundAddressClass.Public)]
    [InlineData("192.168.1.1", OutboundAddressClass.Private)]
    [InlineData("::ffff:192.168.1.1", OutboundAddressClass.Private)]
    [InlineData("fc00::1", OutboundAddressClass.Private)]
    [InlineData("fd12:3456::1", OutboundAddressClass.Private)]
    [InlineData("100.64.0.1", OutboundAddressClass.SharedAddressSpace)]
    [InlineData("100.127.255.254", OutboundAddressClass.SharedAddressSpace)]
    [InlineData("100.128.0.1", OutboundAddressClass.Public)]
    [InlineData("169.254.1.1", OutboundAddressClass.LinkLocal)]
    [InlineData("fe80::1", OutboundAddressClass.LinkLocal)]
    [InlineData("169.254.169.254", OutboundAddressClass.CloudMetadata)]
    [InlineData("fd00:ec2::254", OutboundAddressClass.CloudMetadata)]
    [InlineData("100.100.100.200", OutboundAddressClass.CloudMetadata)]
    [InlineData("168.63.129.16", OutboundAddressClass.CloudMetadata)]
    [InlineData("0.0.0.0", OutboundAddressClass.Unspecified)]
    [InlineData("::", OutboundAddressClass.Unspecified)]
    [InlineData("224.0.0.1", OutboundAddressClass.Multicast)]
    [InlineData("ff02::1", OutboundAddressClass.Multicast)]
    [InlineData("255.255.255.255", OutboundAddressClass.Reserved)]
    [InlineData("64:ff9b::a00:1", OutboundAddressClass.Private)]
    [InlineData("2002:7f00:1::", OutboundAddressClass.Loopback)]
    public void Classify_Address_HasClass(string address, OutboundAddressClass expected)
    {
        Assert.Equal(expected, OutboundAddressPolicy.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34", false, false, true)]
    [InlineData("127.0.0.1", false, false, false)]
    [InlineData("127.0.0.1", true, false, true)]
    [InlineData("10.1.2.3", false, false, false)]
    [InlineData("10.1.2.3", false, true, true)]
    [InlineData("100.64.1.1", false, true, true)]
    [InlineData("10.1.2.3", true, false, false)]
    [InlineData("169.254.169.254", true, true, false)]
    [InlineData("fe80::1", true, true, false)]
    [InlineData("0.0.0.0", true, true, false)]
    [InlineData("239.1.1.1", true, true, false)]
    public void IsAllowed_AddressAndSwitches_Decides(string address, bool allowLoopback, bool allowPrivate, bool allowed)
    {
        Assert.Equal(allowed, OutboundAddressPolicy.IsAllowed(IPAddress.Parse(address), allowLoopback, allowPrivate));
    }
}
