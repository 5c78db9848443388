using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strait.IntegrationTests.Platform;
using Strait.ServiceDefaults;

namespace Strait.IntegrationTests.ServiceDefaults;

/// <summary>Every service authenticates every request itself, through the one shared handler.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthenticationTests(PlatformFixture fixture)
{
    private const string UnknownKey = "strait_00000000000000000000000000000000000000000000000000000000deadbeef";
    private readonly StraitPlatform platform = fixture.Platform;

    public static TheoryData<string, string> ServiceRoutes => new()
    {
        { ServiceEndpoints.RunsApi, "/v1/jobs" },
        { ServiceEndpoints.Dispatcher, "/v1/workers" },
        { ServiceEndpoints.Events, "/v1/events" },
    };

    [Theory]
    [MemberData(nameof(ServiceRoutes))]
    public async Task Request_ValidKey_IsAnsweredByEachService(string service, string path)
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey, platform.Services[service]);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ServiceRoutes))]
    public async Task Request_UnknownKey_Returns401WithErrorBodyFromTheServiceItself(string service, string path)
    {
        using var client = platform.Client(UnknownKey, platform.Services[service]);
        client.DefaultRequestHeaders.Add("X-Request-Id", "req-unknown-key");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("authentication_required", body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        Assert.Equal("req-unknown-key", body.GetProperty("request_id").GetString());
    }

    [Theory]
    [MemberData(nameof(ServiceRoutes))]
    public async Task Request_NoCredentialDirectlyToService_Returns401(string service, string path)
    {
        using var client = platform.Client(baseAddress: platform.Services[service]);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("strait_short")]
    [InlineData("strait_ZZZZ000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("not-a-strait-key")]
    public async Task Request_MalformedKey_Returns401(string key)
    {
        using var client = platform.Client(key);

        var response = await client.GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(ServiceRoutes))]
    public async Task Request_RevokedKey_Returns401Everywhere(string service, string path)
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey, platform.Services[service]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);

        using var admin = platform.Client(tenant.ApiKey);
        var revoke = await admin.DeleteAsync($"/v1/api-keys/{tenant.ApiKeyId}");
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_WrongInternalSecret_Returns401()
    {
        using var client = platform.Client();
        client.DefaultRequestHeaders.Add("X-Internal-Secret", "guess");
        client.DefaultRequestHeaders.Add("X-Project-Id", "anything");

        var response = await client.GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_KeyWithoutScope_Returns403AndChangesNothing()
    {
        var tenant = await platform.CreateTenantAsync();
        using var admin = platform.Client(tenant.ApiKey);
        var readOnly = await StraitPlatform.CreateKeyAsync(admin, tenant.ProjectId, ["jobs:read"]);
        using var reader = platform.Client(readOnly.GetProperty("key").GetString());

        var create = await reader.PostAsJsonAsync("/v1/jobs", new { project_id = tenant.ProjectId, name = "n", slug = "s", endpoint_url = "http://example.com/x" });

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var body = await create.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("insufficient permissions: requires jobs:write", body.GetProperty("error").GetString());
        var list = await reader.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }
}
