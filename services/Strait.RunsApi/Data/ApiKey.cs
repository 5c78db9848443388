namespace Strait.RunsApi.Data;

/// <summary>An API key. The secret itself is never stored: only its SHA-256 and its first 12 characters.</summary>
public sealed class ApiKey
{
    public Guid Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Name { get; init; }
    public required string KeyHash { get; init; }
    public required string KeyPrefix { get; init; }
    public required List<string> Scopes { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}
