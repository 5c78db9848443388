using System.Globalization;

namespace Strait.Dispatcher.Delivery;

/// <summary>Reads <c>Retry-After</c> (RFC 9110 §10.2.3): delay-seconds or an HTTP date, as whole seconds from now.</summary>
public static class RetryAfterHeader
{
    private const int MaxSeconds = 7 * 86400;

    public static int? ParseSeconds(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return (int)Math.Min(seconds, MaxSeconds);
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delay = Math.Ceiling((date - now).TotalSeconds);
            return (int)Math.Clamp(delay, 0, MaxSeconds);
        }

        return null;
    }
}
