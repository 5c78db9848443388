namespace Strait.Dispatcher.Delivery;

public enum ResponseOutcome
{
    Succeeded,
    Accepted,
    Failed,
}
