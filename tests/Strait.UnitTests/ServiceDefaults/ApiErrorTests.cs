using System.Text.Json;
using Strait.ServiceDefaults;
using Strait.ServiceDefaults.Http;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class ApiErrorTests
{
    [Theory]
    [InlineData(400, "bad_request")]
    [InlineData(401, "authentication_required")]
    [InlineData(404, "not_found")]
    [InlineData(410, "gone")]
    [InlineData(413, "payload_too_large")]
    [InlineData(422, "validation_failed")]
    [InlineData(429, "rate_limited")]
    [InlineData(502, "internal_error")]
    public void CodeFor_MapsStatusToMachineCode(int status, string code) => Assert.Equal(code, ApiError.CodeFor(status));

    [Fact]
    public void Serialize_OmitsEmptyDetails()
    {
        var json = JsonSerializer.Serialize(new ApiError { Error = "nope", Code = "not_found", RequestId = "r1" }, ApiErrorJsonContext.Default.ApiError);

        Assert.Equal("""{"error":"nope","code":"not_found","request_id":"r1"}""", json);
    }

    [Fact]
    public void Timestamps_AreWrittenInUtcWithZ()
    {
        var options = new JsonSerializerOptions();
        Extensions.ConfigureJson(options);

        var json = JsonSerializer.Serialize(new { at = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.FromHours(2)) }, options);

        Assert.Equal("""{"at":"2026-11-23T10:00:00Z"}""", json);
    }
}
