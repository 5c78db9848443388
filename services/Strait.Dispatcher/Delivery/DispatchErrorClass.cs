namespace Strait.Dispatcher.Delivery;

/// <summary>The <c>error_class</c> values of a failed dispatch (semantics.md §2.4; 408 is retryable here, ARCHITECTURE §3).</summary>
public static class DispatchErrorClass
{
    public const string Timeout = "timeout";
    public const string RateLimited = "rate_limited";
    public const string Auth = "auth";
    public const string Client = "client";
    public const string Server = "server";
    public const string Connection = "connection";
    public const string Transient = "transient";
    public const string Unknown = "unknown";
}
