using Strait.Benchmarks;
using Strait.Benchmarks.Compare;
using Strait.Benchmarks.Lifecycle;
using Strait.Benchmarks.Messaging;

// dotnet run -c Release --project tests/Strait.Benchmarks -- <scenario> [options]
// Each scenario is a subcommand; add new ones here. Without one (no arguments, or options only) it is `compare`.
IReadOnlyList<IBenchmarkScenario> scenarios = [new CompareBenchmark(), new MessagingBenchmark(), new LifecycleBenchmark(), new Strait.Benchmarks.Logs.LogsBenchmark()];
if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
{
    args = ["compare", .. args];
}

var scenario = args.Length > 0 ? scenarios.FirstOrDefault(x => x.Name == args[0]) : null;
if (scenario is null)
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/Strait.Benchmarks -- <scenario>");
    foreach (var known in scenarios)
        Console.WriteLine($"  {known.Name,-12} {known.Description}");
    return 1;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

if (!scenario.NeedsInfrastructure)
{
    await scenario.RunAsync(null, args[1..], cancellation.Token);
    return 0;
}

await using var infrastructure = await BenchmarkInfrastructure.StartAsync(cancellation.Token);
await scenario.RunAsync(infrastructure, args[1..], cancellation.Token);
return 0;
