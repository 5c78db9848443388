namespace Strait.ServiceDefaults.Security;

/// <summary>A run-token HMAC key and the id (<c>kid</c>) tokens name it by.</summary>
public sealed class RunTokenSigningKey
{
    public string Id { get; set; } = "";

    /// <summary>The secret; at least 32 characters.</summary>
    public string Key { get; set; } = "";
}
