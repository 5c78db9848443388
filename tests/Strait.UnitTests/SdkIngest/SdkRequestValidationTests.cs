using System.Text.Json;
using Strait.SdkIngest.Apis;

namespace Strait.UnitTests.SdkIngest;

public sealed class SdkRequestValidationTests
{
    [Fact]
    public void Log_MessageOnly_IsValid() => Assert.Empty(SdkRequestValidation.Log(new("log", null, "m", null)));

    [Fact]
    public void Log_MissingMessageUnknownLevelAndArrayData_ReportsEachField()
    {
        var data = JsonDocument.Parse("[1]").RootElement;

        var errors = SdkRequestValidation.Log(new(null, "loud", " ", data));

        Assert.Contains(errors, e => e.StartsWith("message:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("level:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("data:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-0.1, false)]
    [InlineData(0, true)]
    [InlineData(100, true)]
    [InlineData(100.5, false)]
    public void Progress_Percent_MustBeWithin0And100(double percent, bool valid) =>
        Assert.Equal(valid, SdkRequestValidation.Progress(new(percent, "m", null, null)).Count == 0);

    [Fact]
    public void Progress_MissingPercent_IsReported() =>
        Assert.Contains(SdkRequestValidation.Progress(new(null, "m", null, null)), e => e.StartsWith("percent:", StringComparison.Ordinal));

    [Fact]
    public void Resources_NegativeMemoryAndCpuOver100_AreReported()
    {
        var errors = SdkRequestValidation.Resources(new(-1, 50, 101));

        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Usage_NegativeTokensAndMissingModel_AreReported()
    {
        var errors = SdkRequestValidation.Usage(new("openai", null, -1, 0, null, -5));

        Assert.Contains(errors, e => e.StartsWith("model:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("prompt_tokens:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cost_microusd:", StringComparison.Ordinal));
    }

    [Fact]
    public void ToolCall_NameOver256Characters_IsReported() =>
        Assert.Contains(SdkRequestValidation.ToolCall(new(new string('t', 257), null, null, null, null)), e => e.StartsWith("tool_name:", StringComparison.Ordinal));

    [Fact]
    public void Annotations_Empty_IsReported() => Assert.NotEmpty(SdkRequestValidation.Annotations(new Dictionary<string, string>()));

    [Fact]
    public void Annotations_FiftyEntries_AreValidAndFiftyOneAreNot()
    {
        var fifty = Enumerable.Range(0, 50).ToDictionary(i => $"k{i}", _ => "v");
        var fiftyOne = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", _ => "v");

        Assert.Empty(SdkRequestValidation.Annotations(fifty));
        Assert.NotEmpty(SdkRequestValidation.Annotations(fiftyOne));
    }

    [Theory]
    [InlineData(" ", "v")]
    [InlineData("k", null)]
    public void Annotations_BlankKeyOrLongValue_IsReported(string key, string? value) =>
        Assert.NotEmpty(SdkRequestValidation.Annotations(new Dictionary<string, string> { [key] = value ?? new string('v', 1025) }));
}
