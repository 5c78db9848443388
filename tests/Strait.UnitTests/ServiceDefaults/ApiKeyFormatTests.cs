using Strait.ServiceDefaults.Security;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generate_ProducesPrefixAnd64LowercaseHex_NeverTheSameTwice()
    {
        var first = ApiKeyFormat.Generate();
        var second = ApiKeyFormat.Generate();

        Assert.Matches("^strait_[0-9a-f]{64}$", first);
        Assert.NotEqual(first, second);
        Assert.True(ApiKeyFormat.IsWellFormed(first));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("strait_")]
    [InlineData("strait_0123")]
    [InlineData("STRAIT_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("strait_000000000000000000000000000000000000000000000000000000000000000G")]
    [InlineData("strait_00000000000000000000000000000000000000000000000000000000000000000")]
    public void IsWellFormed_RejectsAnythingElse(string? key) => Assert.False(ApiKeyFormat.IsWellFormed(key));

    [Fact]
    public void Hash_IsSha256HexAndPrefixIsTwelveCharacters()
    {
        const string key = "strait_0000000000000000000000000000000000000000000000000000000000000000";

        Assert.Equal(64, ApiKeyFormat.Hash(key).Length);
        Assert.Equal(ApiKeyFormat.Hash(key), ApiKeyFormat.Hash(key));
        Assert.NotEqual(ApiKeyFormat.Hash(key), ApiKeyFormat.Hash(key.Replace('0', '1')));
        Assert.Equal("strait_00000", ApiKeyFormat.DisplayPrefix(key));
    }
}
