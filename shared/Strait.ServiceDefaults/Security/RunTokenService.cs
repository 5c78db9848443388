using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Strait.ServiceDefaults.Security;

/// <summary>
/// Issues and verifies run tokens: compact HS256 JWTs with <c>sub</c> = run id, <c>attempt</c> and <c>exp</c>. Verification
/// is stateless (signature, issuer, expiry); whether the run is still active is the caller's next question.
/// </summary>
public sealed class RunTokenService(IOptions<RunTokenOptions> options, TimeProvider time)
{
    public string Issue(Guid runId, int attempt, TimeSpan? lifetime = null)
    {
        var key = options.Value.SigningKeys.FirstOrDefault()
            ?? throw new InvalidOperationException("No run-token signing key is configured (Strait:RunTokens:SigningKeys)");
        var now = time.GetUtcNow();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header("HS256", "JWT", key.Id), RunTokenJsonContext.Default.Header);
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new Payload(options.Value.Issuer, runId.ToString(), attempt, now.ToUnixTimeSeconds(),
                (now + (lifetime ?? TimeSpan.FromSeconds(options.Value.LifetimeSeconds))).ToUnixTimeSeconds()),
            RunTokenJsonContext.Default.Payload);
        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        return signingInput + "." + Base64Url.EncodeToString(Sign(key, signingInput));
    }

    public bool TryValidate(string token, out RunTokenClaims? claims, out string error)
    {
        claims = null;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = "malformed run token";
            return false;
        }

        Header? header;
        Payload? payload;
        byte[] signature;
        try
        {
            header = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[0]), RunTokenJsonContext.Default.Header);
            payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(parts[1]), RunTokenJsonContext.Default.Payload);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = "malformed run token";
            return false;
        }

        var key = options.Value.SigningKeys.FirstOrDefault(k => k.Id == header?.Kid);
        if (header is not { Alg: "HS256" } || payload is null || key is null
            || !CryptographicOperations.FixedTimeEquals(signature, Sign(key, parts[0] + "." + parts[1])))
        {
            error = "invalid run token";
            return false;
        }

        if (payload.Iss != options.Value.Issuer || !Guid.TryParse(payload.Sub, out var runId) || payload.Attempt < 1)
        {
            error = "invalid run token claims";
            return false;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.Exp);
        if (expires <= time.GetUtcNow())
        {
            error = "run token expired";
            return false;
        }

        claims = new RunTokenClaims(runId, payload.Attempt, expires);
        error = "";
        return true;
    }

    private static byte[] Sign(RunTokenSigningKey key, string signingInput) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Key), Encoding.ASCII.GetBytes(signingInput));

    internal sealed record Header(
        [property: JsonPropertyName("alg")] string Alg,
        [property: JsonPropertyName("typ")] string Typ,
        [property: JsonPropertyName("kid")] string Kid);

    internal sealed record Payload(
        [property: JsonPropertyName("iss")] string Iss,
        [property: JsonPropertyName("sub")] string Sub,
        [property: JsonPropertyName("attempt")] int Attempt,
        [property: JsonPropertyName("iat")] long Iat,
        [property: JsonPropertyName("exp")] long Exp);
}
