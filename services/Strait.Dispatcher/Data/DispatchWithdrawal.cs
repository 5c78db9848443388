namespace Strait.Dispatcher.Data;

/// <summary>
/// The newest withdrawal of an attempt: a dispatch of that attempt issued before it and consumed after it is stale and
/// ignored. Kept for an hour, far longer than a message can linger in redelivery.
/// </summary>
public sealed class DispatchWithdrawal
{
    public Guid RunId { get; init; }
    public int Attempt { get; init; }
    public DateTimeOffset IssuedAt { get; set; }
}
