using System.Net;
using System.Net.Sockets;

namespace Strait.ServiceDefaults.Outbound;

/// <summary>
/// The rule for addresses Strait may call on a customer's behalf (dispatch, webhooks): public addresses only, unless
/// the operator allows loopback or private networks. Link-local, cloud metadata, multicast, unspecified and reserved
/// addresses are never allowed by class; only an explicitly allow-listed host name reaches them.
/// </summary>
public static class OutboundAddressPolicy
{
    // Instance metadata and platform endpoints that sit outside link-local: Alibaba, Azure wire server, Oracle, AWS IPv6.
    private static readonly IPAddress[] MetadataAddresses =
    [
        IPAddress.Parse("169.254.169.254"),
        IPAddress.Parse("169.254.170.2"),
        IPAddress.Parse("100.100.100.200"),
        IPAddress.Parse("168.63.129.16"),
        IPAddress.Parse("192.0.0.192"),
        IPAddress.Parse("fd00:ec2::254"),
    ];

    public static bool IsAllowed(IPAddress address, bool allowLoopback, bool allowPrivateNetworks) => Classify(address) switch
    {
        OutboundAddressClass.Public => true,
        OutboundAddressClass.Loopback => allowLoopback,
        OutboundAddressClass.Private or OutboundAddressClass.SharedAddressSpace => allowPrivateNetworks,
        _ => false,
    };

    public static OutboundAddressClass Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (MetadataAddresses.Contains(address))
        {
            return OutboundAddressClass.CloudMetadata;
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(address) : ClassifyV6(address);
    }

    private static OutboundAddressClass ClassifyV4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return (b[0], b[1], b[2]) switch
        {
            (0, _, _) => OutboundAddressClass.Unspecified,
            (127, _, _) => OutboundAddressClass.Loopback,
            (10, _, _) => OutboundAddressClass.Private,
            (172, >= 16 and <= 31, _) => OutboundAddressClass.Private,
            (192, 168, _) => OutboundAddressClass.Private,
            (100, >= 64 and <= 127, _) => OutboundAddressClass.SharedAddressSpace,
            (169, 254, _) => OutboundAddressClass.LinkLocal,
            (>= 224 and <= 239, _, _) => OutboundAddressClass.Multicast,
            (>= 240, _, _) => OutboundAddressClass.Reserved,
            (192, 0, 0) or (192, 0, 2) or (198, 51, 100) or (203, 0, 113) => OutboundAddressClass.Reserved,
            (198, 18 or 19, _) => OutboundAddressClass.Reserved,
            _ => OutboundAddressClass.Public,
        };
    }

    private static OutboundAddressClass ClassifyV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any))
        {
            return OutboundAddressClass.Unspecified;
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return OutboundAddressClass.Loopback;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);

        // Addresses that carry an IPv4 address reach that address: NAT64 (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return ClassifyV4(new IPAddress(b[12..]));
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(new IPAddress(b[2..6]));
        }

        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return OutboundAddressClass.Reserved;
        }

        return b[0] switch
        {
            0xff => OutboundAddressClass.Multicast,
            0xfe when (b[1] & 0xc0) == 0x80 => OutboundAddressClass.LinkLocal,
            0xfe when (b[1] & 0xc0) == 0xc0 => OutboundAddressClass.Private,
            0xfc or 0xfd => OutboundAddressClass.Private,
            _ when b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 => OutboundAddressClass.Reserved,
            _ => OutboundAddressClass.Public,
        };
    }
}
