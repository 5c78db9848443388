using System.Security.Cryptography;
using System.Text;

namespace Strait.Dispatcher.Delivery;

/// <summary>
/// The endpoint signature: <c>X-Strait-Signature: v1=&lt;lowercase hex HMAC-SHA256(secret, "&lt;ts&gt;." + body)&gt;</c> with
/// <c>X-Strait-Timestamp: &lt;ts&gt;</c> in unix seconds, so the endpoint can verify origin and reject replays.
/// </summary>
public static class RequestSignature
{
    public const string SignatureHeader = "X-Strait-Signature";
    public const string TimestampHeader = "X-Strait-Timestamp";

    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Adds the timestamp and signature headers for <paramref name="body"/> to <paramref name="request"/>.</summary>
    public static void Sign(HttpRequestMessage request, string secret, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(SignatureHeader, Compute(secret, timestamp, body));
    }
}
