using Microsoft.AspNetCore.Http;
using Strait.ServiceDefaults.Http;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class PageRequestTests
{
    [Theory]
    [InlineData("", 50)]
    [InlineData("?limit=10", 10)]
    [InlineData("?limit=1000", 100)]
    public void TryParse_Limit_DefaultsAndClamps(string query, int expected)
    {
        Assert.True(PageRequest.TryParse(Request(query), out var page, out _));
        Assert.Equal(expected, page.Limit);
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=ten")]
    [InlineData("?cursor=yesterday")]
    [InlineData("?cursor=2026-11-23T10:00:00Z_nothex")]
    public void TryParse_BadInput_ReturnsError(string query)
    {
        Assert.False(PageRequest.TryParse(Request(query), out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Cursor_RoundTripsTimestampAndId()
    {
        var at = DateTimeOffset.Parse("2026-11-23T10:11:12.123456Z", System.Globalization.CultureInfo.InvariantCulture);
        var id = Guid.CreateVersion7();
        var cursor = PageRequest.EncodeCursor(at, id);

        Assert.True(PageRequest.TryParse(Request("?cursor=" + Uri.EscapeDataString(cursor)), out var page, out _));
        Assert.Equal(at, page.AfterTimestamp);
        Assert.Equal(id, page.AfterId);
    }

    [Fact]
    public void ToPage_WithOneExtraRow_HasMoreAndCursorOfLastReturnedRow()
    {
        var page = new PageRequest(2, null, null);
        (DateTimeOffset T, Guid Id)[] rows =
            [(DateTimeOffset.UnixEpoch.AddDays(3), Guid.NewGuid()), (DateTimeOffset.UnixEpoch.AddDays(2), Guid.NewGuid()), (DateTimeOffset.UnixEpoch.AddDays(1), Guid.NewGuid())];

        var result = page.ToPage(rows, r => (r.T, r.Id), r => r.Id);

        Assert.True(result.HasMore);
        Assert.Equal([rows[0].Id, rows[1].Id], result.Data);
        Assert.Equal(PageRequest.EncodeCursor(rows[1].T, rows[1].Id), result.NextCursor);
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}
