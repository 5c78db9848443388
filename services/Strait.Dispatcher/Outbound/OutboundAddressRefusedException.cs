namespace Strait.Dispatcher.Outbound;

/// <summary>A job endpoint resolved only to addresses the outbound rule refuses.</summary>
public sealed class OutboundAddressRefusedException : Exception
{
    public OutboundAddressRefusedException()
    {
    }

    public OutboundAddressRefusedException(string message) : base(message)
    {
    }

    public OutboundAddressRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
