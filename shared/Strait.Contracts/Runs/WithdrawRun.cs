namespace Strait.Contracts.Runs;

/// <summary>runs-api → dispatcher: this attempt no longer needs delivery (canceled, expired); free its place or slot.</summary>
public sealed record WithdrawRun
{
    public required Guid RunId { get; init; }
    public required int Attempt { get; init; }
}
