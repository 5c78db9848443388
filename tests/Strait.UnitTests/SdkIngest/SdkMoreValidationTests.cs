using System.Text.Json;
using Strait.SdkIngest.Apis;
using Strait.ServiceDefaults.Json;

namespace Strait.UnitTests.SdkIngest;

public sealed class SdkMoreValidationTests
{
    private static readonly SdkMemoryOptions Quotas = new();

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void MemoryKey_Blank_IsRefused(string key) => Assert.NotNull(SdkMemoryApi.CheckKey(key));

    [Fact]
    public void MemoryKey_256Characters_IsAcceptedAnd257Refused()
    {
        Assert.Null(SdkMemoryApi.CheckKey(new string('k', 256)));
        Assert.NotNull(SdkMemoryApi.CheckKey(new string('k', 257)));
    }

    [Fact]
    public void MemoryQuota_ValueOverOneMiB_IsRefusedWhateverTheJobHolds() =>
        Assert.Contains("per-key", SdkMemoryApi.CheckQuota(Quotas, 1024 * 1024 + 1, 0));

    [Fact]
    public void MemoryQuota_ExactlyAtTheLimits_IsAccepted() =>
        Assert.Null(SdkMemoryApi.CheckQuota(Quotas, 1024 * 1024, 9L * 1024 * 1024));

    [Fact]
    public void MemoryQuota_JobTotalOverTenMiB_IsRefused() =>
        Assert.Contains("job memory quota", SdkMemoryApi.CheckQuota(Quotas, 1024 * 1024, 9L * 1024 * 1024 + 1));

    [Fact]
    public void Stream_ChunkOrDone_IsValid()
    {
        Assert.Empty(SdkStreamApi.Validate(new(Json("\"tok\""), null, null)));
        Assert.Empty(SdkStreamApi.Validate(new(null, "s", true)));
    }

    [Fact]
    public void Stream_NoChunkNotDone_NonStringChunkAndBlankStreamId_AreRefused()
    {
        Assert.Contains(SdkStreamApi.Validate(new(null, null, false)), e => e.StartsWith("chunk:", StringComparison.Ordinal));
        Assert.Contains(SdkStreamApi.Validate(new(Json("5"), null, null)), e => e.StartsWith("chunk:", StringComparison.Ordinal));
        Assert.Contains(SdkStreamApi.Validate(new(Json("\"x\""), " ", null)), e => e.StartsWith("stream_id:", StringComparison.Ordinal));
        Assert.Contains(SdkStreamApi.Validate(new(Json("\"x\""), new string('s', 257), null)), e => e.StartsWith("stream_id:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schema_MatchingValue_HasNoErrors() =>
        Assert.Null(await JsonSchemaValidator.ValidateAsync("""{"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}}""", """{"a":1}""", default));

    [Fact]
    public async Task Schema_WrongTypeAndMissingProperty_AreReportedWithTheirPath()
    {
        var schema = """{"type":"object","required":["a","b"],"properties":{"a":{"type":"integer"}}}""";

        var errors = await JsonSchemaValidator.ValidateAsync(schema, """{"a":"x"}""", default);

        Assert.NotNull(errors);
        Assert.Contains(errors, e => e.StartsWith("value/a:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PropertyRequired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schema_LocalReference_IsFollowed()
    {
        var schema = """{"definitions":{"n":{"type":"number","maximum":3}},"type":"object","properties":{"x":{"$ref":"#/definitions/n"}}}""";

        Assert.Null(await JsonSchemaValidator.ValidateAsync(schema, """{"x":2}""", default));
        Assert.NotNull(await JsonSchemaValidator.ValidateAsync(schema, """{"x":4}""", default));
    }

    [Theory]
    [InlineData("""{"$ref":"http://169.254.169.254/latest/meta-data"}""")]
    [InlineData("""{"$ref":"file:///etc/passwd"}""")]
    [InlineData("""{"$ref":"/etc/passwd"}""")]
    public async Task Schema_ExternalReference_IsRefusedNotFetched(string schema)
    {
        var errors = await JsonSchemaValidator.ValidateAsync(schema, "1", default);

        Assert.NotNull(errors);
        Assert.StartsWith("schema:", Assert.Single(errors));
    }

    [Fact]
    public async Task Schema_UrlReference_IsNeverFetched()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        var errors = await JsonSchemaValidator.ValidateAsync($$"""{"$ref":"http://127.0.0.1:{{port}}/schema.json"}""", "1", default);

        Assert.NotNull(errors);
        Assert.False(listener.Pending(), "the validator connected to the schema's URL");
    }

    [Fact]
    public async Task Schema_BooleanSchemas_AcceptAllOrNothing()
    {
        Assert.Null(await JsonSchemaValidator.ValidateAsync("true", "{}", default));
        Assert.NotNull(await JsonSchemaValidator.ValidateAsync("false", "{}", default));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
