namespace Strait.Dispatcher.Delivery;

/// <summary>
/// Connect timestamps of one request, written by the connect callback when that request opened the connection
/// (a reused pooled connection leaves them unset, and connect_ms is 0).
/// </summary>
public sealed class DeliveryTiming
{
    public static readonly HttpRequestOptionsKey<DeliveryTiming> Key = new("strait.delivery-timing");

    public long? ConnectStarted { get; private set; }

    public long? ConnectEnded { get; private set; }

    public void RecordConnect(long started, long ended)
    {
        ConnectStarted = started;
        ConnectEnded = ended;
    }
}
