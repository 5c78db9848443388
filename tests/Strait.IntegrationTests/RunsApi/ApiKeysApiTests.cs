using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Strait.IntegrationTests.Platform;

namespace Strait.IntegrationTests.RunsApi;

[Collection(PlatformCollection.Name)]
public sealed partial class ApiKeysApiTests(PlatformFixture fixture)
{
    private readonly StraitPlatform platform = fixture.Platform;

    [Fact]
    public async Task CreateKey_ReturnsSecretOnceAndStoresOnlyItsHash()
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);

        var created = await StraitPlatform.CreateKeyAsync(client, tenant.ProjectId, ["jobs:read", "runs:read"]);
        var key = created.GetProperty("key").GetString()!;

        Assert.Matches(KeyPattern(), key);
        Assert.Equal(key[..12], created.GetProperty("key_prefix").GetString());
        var listed = await client.GetStringAsync("/v1/api-keys");
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.Contains(created.GetProperty("id").GetString()!, listed, StringComparison.Ordinal);

        await using var connection = new NpgsqlConnection(platform.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT key_hash FROM runs.api_keys WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", Guid.Parse(created.GetProperty("id").GetString()!));
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.NotEqual(key, stored);
        Assert.Equal(Strait.ServiceDefaults.Security.ApiKeyFormat.Hash(key), stored);
    }

    [Theory]
    [InlineData("""{"name":"k","scopes":[]}""", 400, "scopes must contain at least one explicit permission")]
    [InlineData("""{"name":"k","scopes":["jobs:fly"]}""", 400, "unknown scope")]
    [InlineData("""{"name":"k","scopes":["*"],"expires_in_days":0}""", 400, "expires_in_days must be between 1 and 36500")]
    [InlineData("""{"scopes":["*"]}""", 422, "validation failed")]
    public async Task CreateKey_BadInput_Returns4xxAndCreatesNothing(string json, int status, string error)
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
        body["project_id"] = JsonSerializer.SerializeToElement(tenant.ProjectId);

        var response = await client.PostAsJsonAsync("/v1/api-keys", body);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/api-keys");
        Assert.Equal(1, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task CreateKey_BeyondCallersScopes_Returns403()
    {
        var tenant = await platform.CreateTenantAsync();
        using var admin = platform.Client(tenant.ApiKey);
        var manager = await StraitPlatform.CreateKeyAsync(admin, tenant.ProjectId, ["api-keys:manage", "jobs:read"]);
        using var client = platform.Client(manager.GetProperty("key").GetString());

        var escalate = await client.PostAsJsonAsync("/v1/api-keys", new { project_id = tenant.ProjectId, name = "x", scopes = new[] { "jobs:write" } });
        var allowed = await client.PostAsJsonAsync("/v1/api-keys", new { project_id = tenant.ProjectId, name = "x", scopes = new[] { "jobs:read" } });

        Assert.Equal(HttpStatusCode.Forbidden, escalate.StatusCode);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task RevokeKey_Twice_SecondAnswers404()
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);
        var other = await StraitPlatform.CreateKeyAsync(client, tenant.ProjectId, ["jobs:read"]);
        var id = other.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/v1/api-keys/{id}")).StatusCode);
        var second = await client.DeleteAsync($"/v1/api-keys/{id}");

        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("api key not found or already revoked", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task CreateProject_WithApiKey_Returns403()
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);

        var response = await client.PostAsJsonAsync("/v1/projects", new { id = "sneaky", org_id = "o", name = "Sneaky" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [GeneratedRegex("^strait_[0-9a-f]{64}$")]
    private static partial Regex KeyPattern();
}
