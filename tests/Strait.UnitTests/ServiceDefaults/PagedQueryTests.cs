using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.ServiceDefaults.Http;

namespace Strait.UnitTests.ServiceDefaults;

public sealed class PagedQueryTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 10, 11, 12, TimeSpan.Zero);

    [Fact]
    public void NewestFirst_TwoCursors_OneStatementWithTheCursorAsParameters()
    {
        var first = Sql(new PageRequest(10, Monday, Guid.CreateVersion7()), newestFirst: true);
        var second = Sql(new PageRequest(10, Monday.AddMinutes(5), Guid.CreateVersion7()), newestFirst: true);

        // One statement text for every page, so EF compiles and caches the query once and PostgreSQL sees one statement.
        Assert.Equal(first, second);
        Assert.DoesNotContain("2026-11-23", first, StringComparison.Ordinal);
        Assert.Contains("\"CreatedAt\" < @After", first, StringComparison.Ordinal);
        // The bound PostgreSQL can start an index scan at, beside the tiebreak it can only filter by.
        Assert.Contains("\"CreatedAt\" <= @After AND", first, StringComparison.Ordinal);
    }

    [Fact]
    public void OldestFirst_TwoCursors_OneStatementBoundedFromBelow()
    {
        var first = Sql(new PageRequest(10, Monday, Guid.CreateVersion7()), newestFirst: false);

        Assert.Equal(first, Sql(new PageRequest(10, Monday.AddDays(1), Guid.CreateVersion7()), newestFirst: false));
        Assert.Contains("\"CreatedAt\" >= @After AND", first, StringComparison.Ordinal);
    }

    private static string Sql(PageRequest page, bool newestFirst)
    {
        using var db = new RunsDbContext(new DbContextOptionsBuilder<RunsDbContext>().UseNpgsql("Host=unused").Options);
        var query = newestFirst
            ? db.Runs.NewestFirst(page, r => r.CreatedAt, r => r.CorrelationId)
            : db.Runs.OldestFirst(page, r => r.CreatedAt, r => r.CorrelationId);
        return WithoutParameterValues(query.ToQueryString());
    }

    // ToQueryString lists the parameters' values as "-- @name='value'" comment lines before the statement.
    private static string WithoutParameterValues(string sql) =>
        string.Join('\n', sql.Split('\n').Where(line => !line.StartsWith("-- ", StringComparison.Ordinal)));
}
