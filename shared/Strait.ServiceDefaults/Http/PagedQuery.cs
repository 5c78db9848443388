using System.Linq.Expressions;

namespace Strait.ServiceDefaults.Http;

/// <summary>Cursor paging of newest-first lists: the rows after the cursor, in order, one more than the page holds.</summary>
public static class PagedQuery
{
    private static readonly System.Reflection.MethodInfo GuidCompareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;

    /// <summary>
    /// Newest first by <paramref name="timestamp"/>, then <paramref name="id"/> as the tiebreak, starting after the page's
    /// cursor; takes <c>Limit + 1</c> rows so <see cref="PageRequest.ToPage{TRow,TOut}"/> can tell whether more follow.
    /// </summary>
    public static IQueryable<T> NewestFirst<T>(this IQueryable<T> query, PageRequest page,
        Expression<Func<T, DateTimeOffset>> timestamp, Expression<Func<T, Guid>> id)
    {
        if (page.AfterTimestamp is { } after)
        {
            // row.timestamp < after || (row.timestamp == after && row.id < afterId), over one shared parameter.
            var row = timestamp.Parameters[0];
            var rowId = new ParameterRebinder(id.Parameters[0], row).Visit(id.Body);
            var afterValue = Expression.Constant(after);
            var olderOrTiedBefore = Expression.OrElse(
                Expression.LessThan(timestamp.Body, afterValue),
                Expression.AndAlso(
                    Expression.Equal(timestamp.Body, afterValue),
                    Expression.LessThan(Expression.Call(rowId, GuidCompareTo, Expression.Constant(page.AfterId ?? Guid.Empty)), Expression.Constant(0))));
            query = query.Where(Expression.Lambda<Func<T, bool>>(olderOrTiedBefore, row));
        }

        return query.OrderByDescending(timestamp).ThenByDescending(id).Take(page.Limit + 1);
    }

    private sealed class ParameterRebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
