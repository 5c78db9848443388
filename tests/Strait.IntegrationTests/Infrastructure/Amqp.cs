using System.Net.Sockets;

namespace Strait.IntegrationTests.Infrastructure;

/// <summary>Speaks just enough AMQP 0-9-1 to prove a broker is there, independently of the library under test.</summary>
public static class Amqp
{
    /// <summary>Sends the protocol header and returns the broker's first frame: (type, channel, class id, method id).</summary>
    public static async Task<(int Type, int Channel, int ClassId, int MethodId)> FirstFrameAsync(string connectionString)
    {
        var uri = new Uri(connectionString);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), timeout.Token);
        var frame = new byte[11];
        await stream.ReadExactlyAsync(frame, timeout.Token);
        return (frame[0], (frame[1] << 8) | frame[2], (frame[7] << 8) | frame[8], (frame[9] << 8) | frame[10]);
    }

    /// <summary>Asserts the broker answers with Connection.Start (class 10, method 10) on channel 0.</summary>
    public static async Task AssertAnswersAsync(string connectionString) =>
        Assert.Equal((1, 0, 10, 10), await FirstFrameAsync(connectionString));
}
