namespace Strait.IntegrationTests.Platform;

/// <summary>A project created for one test, with a key bound to it.</summary>
public sealed record Tenant(string ProjectId, string ApiKey, string ApiKeyId);
