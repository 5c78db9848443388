using Strait.Infrastructure;

namespace Strait.Benchmarks;

/// <summary>One subcommand of the benchmark program.</summary>
public interface IBenchmarkScenario
{
    string Name { get; }

    string Description { get; }

    Task RunAsync(IInfrastructure infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken);
}
