namespace Strait.AppHost;

/// <summary>A startup failure with a message that says what to do; printed without a stack trace.</summary>
public sealed class AppHostException : Exception
{
    public AppHostException()
    {
    }

    public AppHostException(string message)
        : base(message)
    {
    }

    public AppHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
