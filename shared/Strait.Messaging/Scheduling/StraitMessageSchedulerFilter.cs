using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Strait.Messaging.Outbox;

namespace Strait.Messaging.Scheduling;

/// <summary>
/// Gives every consume context a message scheduler backed by PostgreSQL. Inside the consume outbox
/// (which re-wraps this payload around its own context) timers are written in the consume transaction.
/// </summary>
sealed class StraitMessageSchedulerFilter : IFilter<ConsumeContext>
{
    readonly IServiceProvider _provider;

    public StraitMessageSchedulerFilter(IServiceProvider provider)
    {
        _provider = provider;
    }

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, CreateScheduler));
        return next.Send(context);
    }

    MessageScheduler CreateScheduler(ConsumeContext context)
    {
        var timeProvider = _provider.GetService<TimeProvider>() ?? TimeProvider.System;
        var standalone = new StandaloneScheduledMessageStore(_provider.GetRequiredService<IServiceScopeFactory>());

        var self = context.TryGetPayload<ScheduleSelfAddress>(out var redirect) ? (context.ReceiveContext.InputAddress, redirect.Address) : default;
        var provider = context is IStraitTransactionContext transactionContext
            ? new StraitScheduleMessageProvider(context, new ConsumeScheduledMessageStore(transactionContext, standalone), _provider, timeProvider, self)
            : new StraitScheduleMessageProvider(_provider.GetRequiredService<IBus>(), standalone, _provider, timeProvider, self);

        return new MessageScheduler(provider, context.GetPayload<IBusTopology>());
    }

    public void Probe(ProbeContext context)
    {
        context.CreateFilterScope("scheduler").Add("type", "strait-postgresql");
    }
}
