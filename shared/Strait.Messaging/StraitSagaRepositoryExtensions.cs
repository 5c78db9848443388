using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Strait.Messaging;

public static class StraitSagaRepositoryExtensions
{
    /// <summary>
    /// Stores the saga in the service's DbContext (the one given to <c>AddStraitMessaging</c>), which must map
    /// <typeparamref name="TSaga"/> with <c>CorrelationId</c> as its primary key.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> StraitRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        configurator.Repository(repository =>
        {
            repository.RegisterLoadSagaRepository<TSaga, Sagas.StraitSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterQuerySagaRepository<TSaga, Sagas.StraitSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                Sagas.StraitSagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }
}
