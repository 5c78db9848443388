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
        { Valid with { Cron = "* * * *" }, "cron" },
        { Valid with { Cron = "0 * * * * *" }, "cron" },
        { Valid with { Cron = "61 * * * *" }, "cron" },
        { Valid with { Cron = "@daily" }, "cron" },
        { Valid with { Cron = "0 0 30 2 *" }, "cron" },
        { Valid with { Cron = "* * * * *", Timezone = "Mars/Olympus" }, "timezone" },
        { Valid with { Timezone = "Not/AZone" }, "timezone" },
        { Valid with { CronOverlapPolicy = "queue" }, "cron_overlap_policy" },
        { Valid with { DedupWindowSecs = -1 }, "dedup_window_secs" },
        { Valid with { RetryPriorityBoost = 11 }, "retry_priority_boost" },
        { Valid with { RetryPriorityBoost = -1 }, "retry_priority_boost" },
        { Valid with { PoisonPillThreshold = 0 }, "poison_pill_threshold" },
        { Valid with { QueueName = "has space" }, "queue_name" },
        { Valid with { QueueName = new string('q', 64) }, "queue_name" },
        { Valid with { VersionPolicy = "newest" }, "version_policy" },
        { Valid with { ExecutionMode = "worker" }, "execution_mode" },
        { Valid with { ExecutionMode = "grpc" }, "execution_mode" },
        { Valid with { DefaultRunMetadata = new() { [""] = "v" } }, "default_run_metadata" },
        { Valid with { PayloadSchema = Json("[1]") }, "payload_schema" },
        { Valid with { ResultSchema = Json("\"object\"") }, "result_schema" },
    };

    [Fact]
    public void ValidateCreate_AllNewFieldsWithinLimits_HasNoErrors() =>
        Assert.Empty(JobValidation.ValidateCreate(Valid with
        {
            Cron = "*/5 9-17 * * 1-5",
            Timezone = "Europe/Paris",
            CronOverlapPolicy = "cancel_running",
            DedupWindowSecs = 60,
            RetryPriorityBoost = 0,
            PoisonPillThreshold = 1,
            QueueName = "Q_1-a",
            VersionPolicy = "minor",
            ExecutionMode = "http",
            DefaultRunMetadata = new() { ["team"] = "core" },
            PayloadSchema = Json("""{"type":"object"}"""),
            ResultSchema = Json("true"),
        }));

    [Fact]
    public void ValidateCreate_WorkerMode_SaysItIsNotSupported() =>
        Assert.Contains("execution_mode: worker execution mode is not supported", JobValidation.ValidateCreate(Valid with { ExecutionMode = "worker" }));

    [Fact]
    public void ValidateCreate_EmptyStringSchema_MeansNone() =>
        Assert.Empty(JobValidation.ValidateCreate(Valid with { PayloadSchema = Json("\"\"") }));

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}}}""", true)]
    [InlineData("""{"type":"strnig"}""", false)]
    [InlineData("""{"$ref":"http://127.0.0.1:1/schema.json"}""", false)]
    public async Task ValidateSchemasAsync_UsableSchemasOnly(string schema, bool usable)
    {
        var errors = await JobValidation.ValidateSchemasAsync(Valid with { PayloadSchema = Json(schema) }, default);

        Assert.Equal(usable, errors.Count == 0);
    }

    private static System.Text.Json.JsonElement Json(string text) => System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
}
