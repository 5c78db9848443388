using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Strait.RunsApi.Apis;

namespace Strait.UnitTests.RunsApi;

public sealed class RunListFilterTests
{
    [Fact]
    public void TryParse_StatusesRepeatedAndBracketed_AreAllKept()
    {
        var ok = RunListFilter.TryParse(Query(("status", "queued"), ("statuses", "failed"), ("statuses", "crashed"), ("statuses[]", "dead_letter")),
            null, out var filter, out _);

        Assert.True(ok);
        Assert.Equal(["queued", "failed", "crashed", "dead_letter"], filter.Statuses);
    }

    [Fact]
    public void TryParse_ForcedStatus_ReplacesTheQuery()
    {
        Assert.True(RunListFilter.TryParse(Query(("statuses", "queued")), "dead_letter", out var filter, out _));
        Assert.Equal(["dead_letter"], filter.Statuses);
    }

    [Theory]
    [InlineData("statuses", "finished", "status is invalid")]
    [InlineData("statuses[]", "QUEUED", "status is invalid")]
    [InlineData("tag_value", "x", "tag_value requires tag_key")]
    [InlineData("metadata_value", "x", "metadata_value requires metadata_key")]
    [InlineData("payload_contains", "{\"a\":", "payload_contains must be valid JSON")]
    [InlineData("batch_id", "nope", "batch_id is invalid")]
    [InlineData("job_id", "nope", "job_id is invalid")]
    public void TryParse_BadValue_IsRefusedWithItsMessage(string name, string value, string message)
    {
        Assert.False(RunListFilter.TryParse(Query((name, value)), null, out _, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void TryParse_TagKeyAndMetadataKey_AreMutuallyExclusive()
    {
        Assert.False(RunListFilter.TryParse(Query(("tag_key", "a"), ("metadata_key", "b")), null, out _, out var error));
        Assert.Equal("tag_key and metadata_key are mutually exclusive", error);
    }

    [Fact]
    public void TryParse_EveryFilter_IsRead()
    {
        var batch = Guid.CreateVersion7();
        var ok = RunListFilter.TryParse(Query(("metadata_key", "env"), ("metadata_value", "prod"), ("triggered_by", "manual"),
            ("batch_id", batch.ToString()), ("payload_contains", "{\"a\":1}"), ("error_class", "server")), null, out var filter, out _);

        Assert.True(ok);
        Assert.Equal(("env", "prod", "manual", batch, "{\"a\":1}", "server"),
            (filter.MetadataKey, filter.MetadataValue, filter.TriggeredBy, filter.BatchId, filter.PayloadContains, filter.ErrorClass));
        Assert.Null(filter.TagKey);
    }

    private static QueryCollection Query(params (string Name, string Value)[] values) =>
        new(values.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => new StringValues(g.Select(v => v.Value).ToArray())));
}
