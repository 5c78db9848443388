using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strait.IntegrationTests.Platform;
using Strait.ServiceDefaults;

namespace Strait.IntegrationTests.Gateway;

[Collection(PlatformCollection.Name)]
public sealed class GatewayTests(PlatformFixture fixture)
{
    private readonly StraitPlatform platform = fixture.Platform;

    [Theory]
    [InlineData(ServiceEndpoints.RunsApi, "Strait.RunsApi")]
    [InlineData(ServiceEndpoints.SdkIngest, "Strait.SdkIngest")]
    [InlineData(ServiceEndpoints.Dispatcher, "Strait.Dispatcher")]
    [InlineData(ServiceEndpoints.Events, "Strait.Events")]
    public async Task OpenApiRoute_ReachesTheNamedService(string service, string title)
    {
        using var client = platform.Client();

        var document = await client.GetFromJsonAsync<JsonElement>($"/openapi/{service}.json");

        Assert.StartsWith(title, document.GetProperty("info").GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/jobs", """{"data":[]""")]
    [InlineData("/v1/api-keys", """{"data":[{""")]
    [InlineData("/v1/workers", """{"data":[],"offset":0""")]
    [InlineData("/v1/events", """{"data":[]""")]
    public async Task ApiRoute_ThroughGateway_AnsweredByOwningService(string path, string expectedStart)
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(expectedStart, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SdkRoute_ThroughGateway_IsJudgedBySdkIngestsRunTokenCheck()
    {
        using var client = platform.Client("not.a.jwt");

        var response = await client.GetAsync($"/sdk/v1/runs/{Guid.CreateVersion7()}/payload");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("malformed run token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Request_WithoutCredential_RejectedAtGatewayWith401()
    {
        using var client = platform.Client();

        var response = await client.GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("authentication_required", body.GetProperty("code").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), body.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task EveryResponse_CarriesExactlyOneRequestId_EchoingTheCallers()
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs");
        request.Headers.Add("X-Request-Id", "caller-chosen-id");

        var echoed = await client.SendAsync(request);
        var generated = await client.GetAsync("/v1/workers");

        Assert.Equal("caller-chosen-id", echoed.Headers.GetValues("X-Request-Id").Single());
        Assert.False(string.IsNullOrEmpty(generated.Headers.GetValues("X-Request-Id").Single()));
    }

    [Fact]
    public async Task Request_OverBodyLimit_Returns413WithErrorBody()
    {
        var tenant = await platform.CreateTenantAsync();
        using var client = platform.Client(tenant.ApiKey);
        var payload = "{\"name\":\"" + new string('a', 1024 * 1024) + "\"}";

        var response = await client.PostAsync("/v1/jobs", new StringContent(payload, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("payload_too_large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/v1/jobs")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Requests_OverPerKeyRate_Return429WithRetryAfter_OtherKeysUnaffected()
    {
        var gateway = platform.StartGateway(new Dictionary<string, string?>
        {
            ["Gateway:RateLimitPermitsPerSecond"] = "1",
            ["Gateway:RateLimitBurst"] = "3",
        });
        var (noisy, quiet) = (await platform.CreateTenantAsync(), await platform.CreateTenantAsync());
        using var noisyClient = platform.Client(noisy.ApiKey, gateway);
        using var quietClient = platform.Client(quiet.ApiKey, gateway);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await noisyClient.GetAsync("/v1/jobs");
            statuses.Add(response.StatusCode);
            limited = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.NotNull(limited);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("rate_limited", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await quietClient.GetAsync("/v1/jobs")).StatusCode);
    }

    [Fact]
    public async Task Request_WithTraceparent_ContinuesTheCallersTrace()
    {
        var tenant = await platform.CreateTenantAsync();
        // The services run in this process, so this client is instrumented too: stop it from replacing our traceparent.
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = platform.GatewayAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs/not-a-job");
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        var response = await client.SendAsync(request);

        // The service reports its own trace context back; the trace id must be the caller's.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(traceId, response.Headers.GetValues("X-Trace-Id").Single(), StringComparison.Ordinal);
    }
}
