namespace Strait.ServiceDefaults.Security;

/// <summary>What a valid run token says: the run it is for and the attempt it was issued to.</summary>
public sealed record RunTokenClaims(Guid RunId, int Attempt, DateTimeOffset ExpiresAt);
