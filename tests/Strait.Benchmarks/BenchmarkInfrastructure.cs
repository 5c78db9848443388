using Strait.Infrastructure;

namespace Strait.Benchmarks;

public static class BenchmarkInfrastructure
{
    /// <summary>
    /// Attaches to <c>ConnectionStrings__postgres</c>/<c>ConnectionStrings__rabbitmq</c> when set, otherwise starts
    /// throw-away servers the way the app host does.
    /// </summary>
    public static Task<IInfrastructure> StartAsync(CancellationToken cancellationToken) =>
        LocalInfrastructure.StartAsync(new InfrastructureOptions { Log = line => Console.WriteLine($"[infra] {line}") }, cancellationToken);
}
