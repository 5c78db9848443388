using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Strait.Dispatcher.Delivery;
using Strait.Dispatcher.Outbound;

namespace Strait.UnitTests.Dispatcher;

public sealed class ResponseHandlingTests
{
    [Theory]
    [InlineData(200, ResponseOutcome.Succeeded, null, false)]
    [InlineData(201, ResponseOutcome.Succeeded, null, false)]
    [InlineData(204, ResponseOutcome.Succeeded, null, false)]
    [InlineData(202, ResponseOutcome.Accepted, null, false)]
    [InlineData(301, ResponseOutcome.Failed, "unknown", true)]
    [InlineData(307, ResponseOutcome.Failed, "unknown", true)]
    [InlineData(400, ResponseOutcome.Failed, "client", false)]
    [InlineData(401, ResponseOutcome.Failed, "auth", false)]
    [InlineData(403, ResponseOutcome.Failed, "auth", false)]
    [InlineData(404, ResponseOutcome.Failed, "client", false)]
    [InlineData(408, ResponseOutcome.Failed, "timeout", true)]
    [InlineData(422, ResponseOutcome.Failed, "client", false)]
    [InlineData(429, ResponseOutcome.Failed, "rate_limited", true)]
    [InlineData(500, ResponseOutcome.Failed, "server", true)]
    [InlineData(503, ResponseOutcome.Failed, "server", true)]
    [InlineData(599, ResponseOutcome.Failed, "server", true)]
    public void Disposition_StatusCode_IsClassified(int status, ResponseOutcome outcome, string? errorClass, bool retryable)
    {
        var disposition = ResponseDisposition.For(status);

        Assert.Equal(outcome, disposition.Outcome);
        Assert.Equal(errorClass, disposition.ErrorClass);
        Assert.Equal(retryable, disposition.Retryable);
    }

    [Fact]
    public void ClassifyException_RefusedAddress_PermanentClient()
    {
        var exception = new HttpRequestException(HttpRequestError.ConnectionError, "connect failed",
            new OutboundAddressRefusedException("metadata.internal resolves to 169.254.169.254 (cloudmetadata)"));

        var (errorClass, retryable, error) = EndpointDeliverer.ClassifyException(exception);

        Assert.Equal("client", errorClass);
        Assert.False(retryable);
        Assert.Equal("endpoint address refused: metadata.internal resolves to 169.254.169.254 (cloudmetadata)", error);
    }

    [Fact]
    public void ClassifyException_ConnectionRefused_RetryableConnection()
    {
        var exception = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));

        var (errorClass, retryable, _) = EndpointDeliverer.ClassifyException(exception);

        Assert.Equal("connection", errorClass);
        Assert.True(retryable);
    }

    [Fact]
    public void ClassifyException_ResponseEnded_RetryableTransient()
    {
        var (errorClass, retryable, _) = EndpointDeliverer.ClassifyException(new HttpRequestException(HttpRequestError.ResponseEnded, "ended"));

        Assert.Equal("transient", errorClass);
        Assert.True(retryable);
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData(" 120 ", 120)]
    [InlineData("0", 0)]
    [InlineData("Mon, 23 Nov 2026 10:00:05 GMT", 5)]
    [InlineData("Mon, 23 Nov 2026 09:59:00 GMT", 0)]
    [InlineData("soon", null)]
    [InlineData("-3", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void RetryAfter_HeaderValue_ParsedAsSeconds(string? value, int? expected)
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, RetryAfterHeader.ParseSeconds(value, now));
    }

    [Fact]
    public void RetryAfter_FractionalDate_RoundsUp()
    {
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, 500, TimeSpan.Zero);

        Assert.Equal(5, RetryAfterHeader.ParseSeconds("Mon, 23 Nov 2026 10:00:05 GMT", now));
    }

    [Fact]
    public void Signature_KnownInput_IsV1LowercaseHexHmacOfTimestampDotBody()
    {
        var body = Encoding.UTF8.GetBytes("""{"order":42}""");

        var signature = RequestSignature.Compute("whsec-test-secret", 1795428005, body);

        var expected = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-test-secret"),
            Encoding.UTF8.GetBytes("1795428005." + """{"order":42}"""))).ToLower(CultureInfo.InvariantCulture);
        Assert.Equal("v1=" + expected, signature);
        Assert.Matches("^v1=[0-9a-f]{64}$", signature);
    }

    [Fact]
    public void Signature_DifferentTimestampOrBody_Differs()
    {
        var body = "{}"u8.ToArray();
        var signature = RequestSignature.Compute("secret-secret-secret", 100, body);

        Assert.NotEqual(signature, RequestSignature.Compute("secret-secret-secret", 101, body));
        Assert.NotEqual(signature, RequestSignature.Compute("secret-secret-secret", 100, "{ }"u8.ToArray()));
    }

    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("[1, 2, 3]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void ResultBody_Json_KeptRaw(string body)
    {
        Assert.Equal(body, ResponseBodyResult.From(Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [InlineData("plain words")]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":1} trailing""")]
    [InlineData("<html>ü</html>")]
    public void ResultBody_NotJson_BecomesJsonString(string body)
    {
        var result = ResponseBodyResult.From(Encoding.UTF8.GetBytes(body));

        Assert.NotNull(result);
        Assert.StartsWith("\"", result, StringComparison.Ordinal);
        Assert.Equal(body, JsonSerializer.Deserialize<string>(result));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n")]
    public void ResultBody_Empty_IsNull(string body)
    {
        Assert.Null(ResponseBodyResult.From(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Trace_SubMillisecondParts_CountAsOne()
    {
        var trace = ExecutionTraceBuilder.Build(TimeSpan.FromSeconds(2), TimeSpan.Zero, TimeSpan.FromTicks(10), TimeSpan.FromMilliseconds(12.7),
            TimeSpan.FromMilliseconds(20));

        Assert.Equal(2000, trace.QueueWaitMs);
        Assert.Equal(0, trace.ConnectMs);
        Assert.Equal(1, trace.TtfbMs);
        Assert.Equal(12, trace.TransferMs);
        Assert.Equal(13, trace.DispatchMs);
        Assert.Equal(20, trace.TotalMs);
    }
}
