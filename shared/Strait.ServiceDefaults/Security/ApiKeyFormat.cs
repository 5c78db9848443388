using System.Security.Cryptography;
using System.Text;

namespace Strait.ServiceDefaults.Security;

/// <summary>API keys are <c>strait_</c> + 64 lowercase hex characters; only their SHA-256 and a 12-character prefix are stored.</summary>
public static class ApiKeyFormat
{
    public const string Prefix = "strait_";
    public const int PrefixLength = 12;
    private const int SecretHexLength = 64;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string Generate() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SecretHexLength / 2));

    public static bool IsWellFormed(string? key) =>
        key is { Length: 7 + SecretHexLength }
        && key.StartsWith(Prefix, StringComparison.Ordinal)
        && key.AsSpan(Prefix.Length).ContainsAnyExcept(LowerHex) is false;

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string DisplayPrefix(string key) => key[..PrefixLength];
}
