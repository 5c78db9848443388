using System.ComponentModel.DataAnnotations;

namespace Strait.ServiceDefaults.Security;

/// <summary>Bound from <c>Strait:RunTokens</c>. The first signing key signs new tokens; every listed key still verifies, so keys rotate.</summary>
public sealed class RunTokenOptions
{
    public const string SectionName = "Strait:RunTokens";

    public string Issuer { get; set; } = "strait";

    public List<RunTokenSigningKey> SigningKeys { get; set; } = [];

    [Range(60, 30 * 86400)]
    public int LifetimeSeconds { get; set; } = 86400;
}
