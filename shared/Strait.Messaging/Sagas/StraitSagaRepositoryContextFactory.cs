using System.Data;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging.Sagas;

/// <summary>
/// Runs each consumed message against the saga table in one transaction: the consume outbox's
/// transaction when there is one (so the saga row, the inbox row and the outgoing messages commit
/// together), otherwise its own READ COMMITTED transaction. Resolved per message from the consume scope.
/// </summary>
public sealed class StraitSagaRepositoryContextFactory<TSaga> :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    readonly DbContext _dbContext;
    readonly ISagaConsumeContextFactory<DbContext, TSaga> _factory;

    public StraitSagaRepositoryContextFactory(StraitMessagingSession session, ISagaConsumeContextFactory<DbContext, TSaga> factory)
    {
        _dbContext = session.DbContext;
        _factory = factory;
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "postgresql");
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(() =>
        {
            var repositoryContext = new StraitSagaRepositoryContext<TSaga, T>(_dbContext, context, _factory);
            return next.Send(repositoryContext);
        }, context.CancellationToken);

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        InTransaction(async () =>
        {
            // Matching ids are read without locks; each instance is then locked by Load as it is used.
            var ids = await _dbContext.Set<TSaga>().AsNoTracking().Where(query.FilterExpression)
                .Select(x => x.CorrelationId).ToListAsync(context.CancellationToken);
            var repositoryContext = new StraitSagaRepositoryContext<TSaga, T>(_dbContext, context, _factory);
            await next.Send(new DefaultSagaRepositoryQueryContext<TSaga, T>(repositoryContext, ids));
        }, context.CancellationToken);

    public async Task<TResult> Execute<TResult>(Func<LoadSagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod,
        CancellationToken cancellationToken = default)
        where TResult : class =>
        await asyncMethod(new StraitSagaReadContext<TSaga>(_dbContext, cancellationToken));

    public async Task<TResult> Execute<TResult>(Func<QuerySagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod,
        CancellationToken cancellationToken = default)
        where TResult : class =>
        await asyncMethod(new StraitSagaReadContext<TSaga>(_dbContext, cancellationToken));

    async Task InTransaction(Func<Task> body, CancellationToken cancellationToken)
    {
        if (_dbContext.Database.CurrentTransaction is not null)
        {
            await body();
            return;
        }

        var strategy = _dbContext.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await _dbContext.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            try
            {
                await body();
                await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                _dbContext.ChangeTracker.Clear();
                throw;
            }
        });
    }
}
