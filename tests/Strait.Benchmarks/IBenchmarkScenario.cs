using Strait.Infrastructure;

namespace Strait.Benchmarks;

/// <summary>One subcommand of the benchmark program.</summary>
public interface IBenchmarkScenario
{
    string Name { get; }

    string Description { get; }

    /// <summary>False for scenarios that bring up (or attach to) the whole platform themselves.</summary>
    bool NeedsInfrastructure => true;

    Task RunAsync(IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken);
}
