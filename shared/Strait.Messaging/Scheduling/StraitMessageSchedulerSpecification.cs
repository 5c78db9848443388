using MassTransit;
using MassTransit.Configuration;

namespace Strait.Messaging.Scheduling;

sealed class StraitMessageSchedulerSpecification : IPipeSpecification<ConsumeContext>
{
    readonly IServiceProvider _provider;

    public StraitMessageSchedulerSpecification(IServiceProvider provider)
    {
        _provider = provider;
    }

    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new StraitMessageSchedulerFilter(_provider));

    public IEnumerable<ValidationResult> Validate() => [];
}
