using Strait.RunsApi.Apis;

namespace Strait.UnitTests.RunsApi;

public sealed class JobValidationTests
{
    private static readonly JobRequest Valid = new(
        "p", "Name", "slug", null, "https://example.com/run", null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    [Fact]
    public void ValidateCreate_MinimalJob_HasNoErrors() => Assert.Empty(JobValidation.ValidateCreate(Valid));

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ValidateCreate_EachBrokenRule_IsReportedByField(JobRequest request, string field) =>
        Assert.Contains(JobValidation.ValidateCreate(request), e => e.StartsWith(field + ":", StringComparison.Ordinal));

    public static TheoryData<JobRequest, string> Invalid => new()
    {
        { Valid with { Name = "" }, "name" },
        { Valid with { Slug = new string('s', 129) }, "slug" },
        { Valid with { EndpointUrl = "ftp://example.com" }, "endpoint_url" },
        { Valid with { EndpointUrl = null }, "endpoint_url" },
        { Valid with { MaxAttempts = 101 }, "max_attempts" },
        { Valid with { TimeoutSecs = 0 }, "timeout_secs" },
        { Valid with { RetryStrategy = "random" }, "retry_strategy" },
        { Valid with { RetryDelaysSecs = [1, 0] }, "retry_delays_secs" },
        { Valid with { WebhookSecret = "short" }, "webhook_secret" },
        { Valid with { Tags = Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", i => "v") }, "tags" },
        { Valid with { Description = new string('d', 2001) }, "description" },
    };
}
