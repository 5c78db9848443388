using Strait.SdkIngest.Apis;
using Strait.ServiceDefaults.Outbound;

namespace Strait.UnitTests.SdkIngest;

public sealed class WaitForEventValidationTests
{
    [Theory]
    [InlineData("order.paid", null, null)]
    [InlineData("k", 1L, "https://hooks.example.com/x")]
    [InlineData("k", 2592000L, null)]
    public void Validate_AcceptedBodies_HaveNoErrors(string key, long? timeout, string? notifyUrl) =>
        Assert.Empty(SdkEventWaitApi.Validate(new SdkEventWaitApi.WaitForEventRequest(key, timeout, notifyUrl), new OutboundOptions()));

    [Theory]
    [InlineData(null, null, null, "event_key:")]
    [InlineData("", null, null, "event_key:")]
    [InlineData("a\tb", null, null, "event_key:")]
    [InlineData("k", 0L, null, "timeout_secs:")]
    [InlineData("k", 2592001L, null, "timeout_secs:")]
    [InlineData("k", null, "not a url", "notify_url:")]
    [InlineData("k", null, "ftp://example.com/x", "notify_url:")]
    [InlineData("k", null, "http://169.254.169.254/latest", "notify_url:")]
    public void Validate_BadBodies_NameTheField(string? key, long? timeout, string? notifyUrl, string field) =>
        Assert.Contains(SdkEventWaitApi.Validate(new SdkEventWaitApi.WaitForEventRequest(key, timeout, notifyUrl), new OutboundOptions()),
            e => e.StartsWith(field, StringComparison.Ordinal));

    [Fact]
    public void Validate_KeyLongerThan512Bytes_IsRefusedEvenWhenShorterInCharacters() =>
        Assert.Contains(SdkEventWaitApi.Validate(new SdkEventWaitApi.WaitForEventRequest(new string('é', 257), null, null), new OutboundOptions()),
            e => e.StartsWith("event_key:", StringComparison.Ordinal));
}
