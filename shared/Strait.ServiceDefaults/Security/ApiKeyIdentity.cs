namespace Strait.ServiceDefaults.Security;

/// <summary>What a valid API key stands for.</summary>
public sealed record ApiKeyIdentity(Guid KeyId, string ProjectId, IReadOnlyList<string> Scopes);
