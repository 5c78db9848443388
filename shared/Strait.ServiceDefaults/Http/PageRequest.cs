using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Strait.ServiceDefaults.Http;

/// <summary>
/// <c>limit</c> (default 50, clamped to 100) and <c>cursor</c>. Cursors are opaque to clients: the sort timestamp and the
/// id of the last row, so rows that share a timestamp are never skipped at a page boundary (the original's cursors were
/// timestamps alone and could skip).
/// </summary>
public sealed record PageRequest(int Limit, DateTimeOffset? AfterTimestamp, Guid? AfterId)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static bool TryParse(HttpRequest request, out PageRequest page, out IResult? error)
    {
        page = new PageRequest(DefaultLimit, null, null);
        error = null;
        var limitText = request.Query["limit"].ToString();
        var limit = DefaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit <= 0))
        {
            error = ApiResults.BadRequest("limit must be a positive integer");
            return false;
        }

        var cursor = request.Query["cursor"].ToString();
        if (cursor.Length == 0)
        {
            page = page with { Limit = Math.Min(limit, MaxLimit) };
            return true;
        }

        if (!TryDecodeCursor(cursor, out var timestamp, out var id))
        {
            error = ApiResults.BadRequest("invalid cursor format");
            return false;
        }

        page = new PageRequest(Math.Min(limit, MaxLimit), timestamp, id);
        return true;
    }

    public static string EncodeCursor(DateTimeOffset timestamp, Guid id) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "_" + id.ToString("N");

    /// <summary>Builds the page from <paramref name="rows"/> fetched with <c>Limit + 1</c>.</summary>
    public Page<TOut> ToPage<TRow, TOut>(IReadOnlyList<TRow> rows, Func<TRow, (DateTimeOffset Timestamp, Guid Id)> key, Func<TRow, TOut> map)
    {
        var hasMore = rows.Count > Limit;
        var items = hasMore ? rows.Take(Limit).ToList() : rows;
        string? next = null;
        if (hasMore)
        {
            var (timestamp, id) = key(items[^1]);
            next = EncodeCursor(timestamp, id);
        }

        return new Page<TOut>(items.Select(map).ToList(), next, hasMore);
    }

    private static bool TryDecodeCursor(string cursor, out DateTimeOffset timestamp, out Guid id)
    {
        id = Guid.Empty;
        var separator = cursor.LastIndexOf('_');
        var timePart = separator > 0 ? cursor[..separator] : cursor;
        if (!DateTimeOffset.TryParse(timePart, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp))
        {
            return false;
        }

        // A bare RFC 3339 timestamp (the original's format) is accepted too, with no id tiebreak.
        return separator <= 0 || Guid.TryParseExact(cursor[(separator + 1)..], "N", out id);
    }
}
