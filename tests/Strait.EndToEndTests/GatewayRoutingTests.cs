using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Strait.EndToEndTests;

/// <summary>Every service answers through the one public entry point, with the development key the app host created.</summary>
[Collection(PlatformCollection.Name)]
public sealed class GatewayRoutingTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("/v1/jobs?project_id=dev")] // runs-api
    [InlineData("/v1/queues")] // dispatcher
    [InlineData("/v1/events")] // events
    public async Task Get_ServiceRouteWithDevelopmentKey_AnswersOkWithRequestId(string path)
    {
        using var client = platform.AppHost.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.AppHost.ApiKey);

        using var response = await client.GetAsync(path);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
        Assert.True(response.Headers.TryGetValues("X-Request-Id", out var ids) && ids.Single().Length > 0, $"GET {path} has no X-Request-Id");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
    }

    [Fact]
    public async Task Get_SdkPayloadWithBogusRunToken_AnswersUnauthorizedErrorFromSdkIngest()
    {
        using var client = platform.AppHost.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-run-token");

        using var response = await client.GetAsync($"/sdk/v1/runs/{Guid.NewGuid()}/payload");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.TryGetValues("X-Request-Id", out var ids) && ids.Single().Length > 0);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Get_JobsWithoutCredentials_IsRejected()
    {
        using var client = platform.AppHost.CreateClient();

        using var response = await client.GetAsync("/v1/jobs?project_id=dev");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
