using System.Net.Sockets;

namespace Strait.Infrastructure.RabbitMq;

/// <summary>Checks that a broker speaks AMQP 0-9-1, without a client library.</summary>
internal static class AmqpProbe
{
    private static readonly byte[] ProtocolHeader = "AMQP\0\0\u0009\u0001"u8.ToArray();

    /// <summary>
    /// Sends the protocol header and expects a Connection.Start method frame (class 10, method 10) on channel 0.
    /// RabbitMQ opens its AMQP listener only at the end of boot, so an answer means the broker is ready.
    /// </summary>
    public static async Task<bool> AnswersAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeoutSource.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(ProtocolHeader, timeoutSource.Token);
            var frame = new byte[11];
            await stream.ReadExactlyAsync(frame, timeoutSource.Token);
            return frame[0] == 1 && frame[1] == 0 && frame[2] == 0
                && frame[7] == 0 && frame[8] == 10 && frame[9] == 0 && frame[10] == 10;
        }
        catch (Exception exception) when (exception is SocketException or IOException
            || (exception is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }
}
