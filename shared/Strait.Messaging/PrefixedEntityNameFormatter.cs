using MassTransit;

namespace Strait.Messaging;

/// <summary>Prefixes exchange names, so several Strait installations (or test runs) can share one broker without crosstalk.</summary>
public sealed class PrefixedEntityNameFormatter(IEntityNameFormatter inner, string prefix) : IEntityNameFormatter
{
    public string FormatEntityName<T>() => prefix + inner.FormatEntityName<T>();
}
