using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strait.AppHost;

/// <summary>
/// The internal secret and the run-token signing key, generated on the first run and kept in
/// <c>&lt;data&gt;/secrets.json</c>: run tokens and stored data must stay valid across restarts.
/// </summary>
public sealed record DevSecrets(
    [property: JsonPropertyName("internal_secret")] string InternalSecret,
    [property: JsonPropertyName("run_token_key_id")] string RunTokenKeyId,
    [property: JsonPropertyName("run_token_key")] string RunTokenKey)
{
    public static async Task<DevSecrets> LoadOrCreateAsync(string dataDirectory, CancellationToken ct)
    {
        var path = Path.Combine(dataDirectory, "secrets.json");
        if (File.Exists(path))
        {
            await using var stream = File.OpenRead(path);
            if (await JsonSerializer.DeserializeAsync<DevSecrets>(stream, cancellationToken: ct) is { } existing
                && existing.InternalSecret.Length >= 32 && existing.RunTokenKey.Length >= 32 && existing.RunTokenKeyId.Length > 0)
            {
                return existing;
            }
        }

        var secrets = new DevSecrets(NewSecret(), "k1", NewSecret());
        await AtomicFile.WriteAsync(path, JsonSerializer.Serialize(secrets, Indented) + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        return secrets;
    }

    /// <summary>The variables every child gets (Strait:InternalSecret, Strait:RunTokens:SigningKeys:0).</summary>
    public IReadOnlyDictionary<string, string> Environment() => new Dictionary<string, string>
    {
        ["Strait__InternalSecret"] = InternalSecret,
        ["Strait__RunTokens__SigningKeys__0__Id"] = RunTokenKeyId,
        ["Strait__RunTokens__SigningKeys__0__Key"] = RunTokenKey,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
