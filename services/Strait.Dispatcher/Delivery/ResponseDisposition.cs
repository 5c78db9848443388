namespace Strait.Dispatcher.Delivery;

/// <summary>What an endpoint's status code means for the run: completed, accepted (202), or a classified failure.</summary>
public sealed record ResponseDisposition(ResponseOutcome Outcome, string? ErrorClass, bool Retryable)
{
    public static ResponseDisposition For(int statusCode) => statusCode switch
    {
        202 => new(ResponseOutcome.Accepted, null, false),
        >= 200 and <= 299 => new(ResponseOutcome.Succeeded, null, false),
        408 => Failure(DispatchErrorClass.Timeout, retryable: true),
        429 => Failure(DispatchErrorClass.RateLimited, retryable: true),
        401 or 403 => Failure(DispatchErrorClass.Auth, retryable: false),
        >= 400 and <= 499 => Failure(DispatchErrorClass.Client, retryable: false),
        >= 500 => Failure(DispatchErrorClass.Server, retryable: true),
        // 1xx that reached us and 3xx (redirects are never followed).
        _ => Failure(DispatchErrorClass.Unknown, retryable: true),
    };

    private static ResponseDisposition Failure(string errorClass, bool retryable) => new(ResponseOutcome.Failed, errorClass, retryable);
}
