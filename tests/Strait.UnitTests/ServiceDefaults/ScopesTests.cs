using Strait.ServiceDefaults.Security;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class ScopesTests
{
    [Theory]
    [InlineData(new[] { "*" }, "jobs:write", true)]
    [InlineData(new[] { "jobs:read" }, "jobs:read", true)]
    [InlineData(new[] { "jobs:read" }, "jobs:write", false)]
    [InlineData(new string[0], "api-keys:manage", true)]
    public void Grants_FollowsWildcardAndLegacyEmptyRules(string[] held, string required, bool expected) =>
        Assert.Equal(expected, Scopes.Grants(held, required));

    [Fact]
    public void Caller_Internal_HasEveryScope()
    {
        var caller = new Caller("p", IsInternal: true, ApiKeyId: null, Scopes: ["jobs:read"]);

        Assert.True(caller.Has(Scopes.ApiKeysManage));
    }
}
