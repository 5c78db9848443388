using Strait.ServiceDefaults.Outbound;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Strait.Dispatcher.Delivery;

namespace Strait.Dispatcher.Outbound;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of outbound calls: resolves the host once, keeps only the
/// addresses <see cref="OutboundAddressPolicy"/> allows and connects to one of those very addresses, so a DNS answer
/// that changes between check and connect (rebinding) cannot redirect the call.
/// </summary>
public sealed class OutboundConnector(IOptionsMonitor<OutboundOptions> options, TimeProvider time)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var host = context.DnsEndPoint.Host;
        var allowedAddresses = await ResolveAllowedAsync(host, cancellationToken);

        Exception? lastError = null;
        foreach (var address in allowedAddresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                if (context.InitialRequestMessage.Options.TryGetValue(DeliveryTiming.Key, out var timing))
                {
                    timing.RecordConnect(started, time.GetTimestamp());
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }

    public async Task<IReadOnlyList<IPAddress>> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var literal = IPAddress.TryParse(host.Trim('[', ']'), out var parsed) ? parsed : null;
        var addresses = literal is not null ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (current.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return addresses;
        }

        var allowed = addresses.Where(a => OutboundAddressPolicy.IsAllowed(a, current.AllowLoopback, current.AllowPrivateNetworks)).ToArray();
        if (allowed.Length == 0)
        {
            var refused = string.Join(", ", addresses.Select(a => $"{a} ({OutboundAddressPolicy.Classify(a).ToString().ToLowerInvariant()})"));
            throw new OutboundAddressRefusedException(addresses.Length == 0 ? $"{host} has no address" : $"{host} resolves to {refused}");
        }

        return allowed;
    }
}
