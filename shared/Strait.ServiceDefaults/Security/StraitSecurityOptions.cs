using System.ComponentModel.DataAnnotations;

namespace Strait.ServiceDefaults.Security;

/// <summary>Bound from the <c>Strait</c> configuration section.</summary>
public sealed class StraitSecurityOptions
{
    public const string SectionName = "Strait";

    /// <summary>Shared secret of trusted internal callers (the app host, service-to-service calls). Empty disables it.</summary>
    public string InternalSecret { get; set; } = "";

    /// <summary>How long another service may trust a key it verified with runs-api; revocation takes at most this long there.</summary>
    [Range(0, 300)]
    public int ApiKeyCacheSeconds { get; set; } = 5;
}
