using Microsoft.Extensions.Configuration;

namespace Strait.ServiceDefaults;

/// <summary>
/// Where the other services are. The app host passes Aspire-style <c>services__&lt;name&gt;__http__0</c> variables; in
/// Kubernetes the resource name is also the Service's DNS name, which is the fallback.
/// </summary>
public static class ServiceEndpoints
{
    public const string RunsApi = "runs-api";
    public const string SdkIngest = "sdk-ingest";
    public const string Dispatcher = "dispatcher";
    public const string Events = "events";
    public const string Gateway = "gateway";

    public static readonly IReadOnlyList<string> BackendServices = [RunsApi, SdkIngest, Dispatcher, Events];

    public static Uri Resolve(IConfiguration configuration, string name)
    {
        var configured = configuration[$"services:{name}:http:0"];
        return new Uri(string.IsNullOrWhiteSpace(configured) ? $"http://{name}" : configured);
    }
}
