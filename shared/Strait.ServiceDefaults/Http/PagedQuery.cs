using System.Linq.Expressions;

namespace Strait.ServiceDefaults.Http;

/// <summary>Cursor paging of newest-first (or oldest-first) lists: the rows after the cursor, in order, one more than the page holds.</summary>
public static class PagedQuery
{
    private static readonly System.Reflection.MethodInfo GuidCompareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;

    /// <summary>
    /// Newest first by <paramref name="timestamp"/>, then <paramref name="id"/> as the tiebreak, starting after the page's
    /// cursor; takes <c>Limit + 1</c> rows so <see cref="PageRequest.ToPage{TRow,TOut}"/> can tell whether more follow.
    /// </summary>
    public static IQueryable<T> NewestFirst<T>(this IQueryable<T> query, PageRequest page,
        Expression<Func<T, DateTimeOffset>> timestamp, Expression<Func<T, Guid>> id) =>
        After(query, page, timestamp, id, descending: true).OrderByDescending(timestamp).ThenByDescending(id).Take(page.Limit + 1);

    /// <summary>Oldest first (chains and child lists read in the order they happened), otherwise as <see cref="NewestFirst{T}"/>.</summary>
    public static IQueryable<T> OldestFirst<T>(this IQueryable<T> query, PageRequest page,
        Expression<Func<T, DateTimeOffset>> timestamp, Expression<Func<T, Guid>> id) =>
        After(query, page, timestamp, id, descending: false).OrderBy(timestamp).ThenBy(id).Take(page.Limit + 1);

    private static IQueryable<T> After<T>(IQueryable<T> query, PageRequest page, Expression<Func<T, DateTimeOffset>> timestamp,
        Expression<Func<T, Guid>> id, bool descending)
    {
        if (page.AfterTimestamp is not { } after)
        {
            return query;
        }

        // row.timestamp at or beyond after && (row.timestamp beyond after || (row.timestamp == after && row.id beyond afterId)),
        // over one shared parameter. The first term is implied by the second; it is there for the index on (…, timestamp,
        // id): PostgreSQL starts its scan at the cursor on it, where the disjunction alone is only a filter over every row
        // of the pages before (a page 90 deep read ~9,000 index entries). The cursor's values are read from a holder object,
        // as a lambda reads captured variables, so EF sends them as SQL parameters: inlined as constants, every page after
        // the first was a query of its own, compiled and cached anew.
        Func<Expression, Expression, BinaryExpression> beyond = descending ? Expression.LessThan : Expression.GreaterThan;
        Func<Expression, Expression, BinaryExpression> atOrBeyond = descending ? Expression.LessThanOrEqual : Expression.GreaterThanOrEqual;
        var row = timestamp.Parameters[0];
        var rowId = new ParameterRebinder(id.Parameters[0], row).Visit(id.Body);
        var cursor = Expression.Constant(new Cursor(after, page.AfterId ?? Guid.Empty));
        var afterValue = Expression.Property(cursor, nameof(Cursor.After));
        var afterId = Expression.Property(cursor, nameof(Cursor.AfterId));
        var beyondCursor = Expression.AndAlso(
            atOrBeyond(timestamp.Body, afterValue),
            Expression.OrElse(
                beyond(timestamp.Body, afterValue),
                Expression.AndAlso(
                    Expression.Equal(timestamp.Body, afterValue),
                    beyond(Expression.Call(rowId, GuidCompareTo, afterId), Expression.Constant(0)))));
        return query.Where(Expression.Lambda<Func<T, bool>>(beyondCursor, row));
    }

    private sealed record Cursor(DateTimeOffset After, Guid AfterId);

    private sealed class ParameterRebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
