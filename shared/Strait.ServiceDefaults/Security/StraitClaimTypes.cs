namespace Strait.ServiceDefaults.Security;

public static class StraitClaimTypes
{
    public const string ProjectId = "strait:project";
    public const string Scope = "strait:scope";
    public const string ApiKeyId = "strait:api_key";
    public const string Internal = "strait:internal";
    public const string RunId = "strait:run";
    public const string Attempt = "strait:attempt";
}
