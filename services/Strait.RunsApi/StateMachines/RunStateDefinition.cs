using MassTransit;

namespace Strait.RunsApi.StateMachines;

/// <summary>Endpoint tuning of the run saga: messages of one run are already serialized by the partitioner and the row lock.</summary>
public sealed class RunStateDefinition : SagaDefinition<RunState>
{
    public RunStateDefinition()
    {
        ConcurrentMessageLimit = 64;
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<RunState> sagaConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.PrefetchCount = 128;
}
