using System.Globalization;
using Strait.Benchmarks.Hangfire;
using Strait.Benchmarks.Lifecycle;

namespace Strait.Benchmarks.Compare;

/// <summary>
/// Strait against Hangfire on the same machine and PostgreSQL server, the same jobs (a POST to a no-op endpoint), in
/// alternating rounds (Strait, Hangfire, Strait, Hangfire, …); each system's best round by completed runs per second
/// is reported. Options: <c>--runs N</c> (backlog mode, the default with 2000) or <c>--rate R --duration S</c> (rate
/// mode), <c>--workers W</c> (Hangfire workers, 10), <c>--rounds K</c> (2 each), <c>--warmup N</c> (1000 each; Strait gets them as bulk and again as single triggers),
/// <c>--attach</c>. The last line is machine-readable.
/// </summary>
public sealed class CompareBenchmark : IBenchmarkScenario
{
    private static readonly TimeSpan CalibrationWindow = TimeSpan.FromSeconds(12);

    public string Name => "compare";

    public string Description => "Strait against Hangfire (same jobs, same PostgreSQL, alternating rounds); the default scenario";

    public bool NeedsInfrastructure => false;

    public async Task RunAsync(Strait.Infrastructure.IInfrastructure? infrastructure, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var rateMode = BenchmarkArguments.Has(args, "--rate") || BenchmarkArguments.Has(args, "--duration");
        var plan = new RoundPlan(
            rateMode ? null : BenchmarkArguments.Number(args, "--runs", 2000),
            BenchmarkArguments.Number(args, "--rate", 100),
            BenchmarkArguments.Number(args, "--duration", 20));
        var workers = BenchmarkArguments.Number(args, "--workers", 10);
        var rounds = BenchmarkArguments.Number(args, "--rounds", 2);
        var warmup = BenchmarkArguments.Number(args, "--warmup", 1000);

        // Hangfire's client and workers block threads on PostgreSQL and HTTP: a pool that grows one thread at a time
        // starves them on two cores (enqueues then time out), which would measure the pool, not Hangfire.
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, 64), Math.Max(minIo, 64));

        await using var system = await StraitSystem.StartOrAttachAsync(BenchmarkArguments.Has(args, "--attach"), cancellationToken);
        await using var endpoint = await NoopJobEndpoint.StartAsync();
        using var gateway = new StraitGateway(system);
        var (postgres, straitDatabase) = PostgresCommits.Locate(system);
        var broker = BrokerMessages.Locate(system);
        var hangfireSystem = await HangfireSystem.CreateAsync(postgres, cancellationToken);
        var strait = new StraitRounds(gateway, endpoint, new CostMeter(postgres, straitDatabase, broker));
        var hangfireMeter = new CostMeter(postgres, HangfireSystem.DatabaseName, broker: null);
        var hangfire = new HangfireRounds(hangfireSystem, endpoint, hangfireMeter, workers);

        Console.WriteLine($"[bench] warm-up: {warmup} runs on each system");
        await strait.WarmUpAsync(warmup, cancellationToken);
        await hangfire.WarmUpAsync(warmup, cancellationToken);
        Console.WriteLine($"[bench] idle background: {CalibrationWindow.TotalSeconds:0} s");
        await Task.Delay(PostgresCommits.FlushDelay, cancellationToken);
        await Task.WhenAll(strait.Meter.CalibrateAsync(CalibrationWindow, cancellationToken), hangfire.CalibrateAsync(CalibrationWindow, cancellationToken));

        var results = new List<RoundResult>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var run in new Func<Task<RoundResult>>[] { () => strait.RunAsync(round, plan, cancellationToken), () => hangfire.RunAsync(round, plan, cancellationToken) })
            {
                var result = await run();
                Console.WriteLine($"[bench] {result.System} round {result.Round}: {result.Completed}/{result.Jobs} in {result.Seconds:F1} s, {result.RunsPerSecond:F1} runs/s");
                results.Add(result);
            }
        }

        Report(system, plan, workers, rounds, strait.Meter, hangfireMeter, broker is not null, straitDatabase, results);
    }

    private static void Report(
        StraitSystem system, RoundPlan plan, int workers, int rounds, CostMeter straitMeter, CostMeter hangfireMeter, bool brokerCounted, string straitDatabase, List<RoundResult> results)
    {
        var best = results.GroupBy(r => r.System).ToDictionary(g => g.Key, g => g.MaxBy(r => r.RunsPerSecond)!);
        var s = best[StraitRounds.Name];
        var h = best[HangfireRounds.Name];
        var hangfireVersion = typeof(global::Hangfire.BackgroundJob).Assembly.GetName().Version;
        var postgreSqlVersion = typeof(global::Hangfire.PostgreSql.PostgreSqlStorage).Assembly.GetName().Version;

        Console.WriteLine();
        Console.WriteLine($"compare — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; {plan}; {rounds} rounds each, alternating; the best round of each system (by runs/s) is the summary");
        Console.WriteLine($"  strait    gateway {system.BaseUrl}; commits of database \"{straitDatabase}\" (every service's schema); "
            + (brokerCounted ? "messages = RabbitMQ's received/delivered counters" : "messages not counted (no rabbitmqctl access to the broker)"));
        Console.WriteLine($"  hangfire  Hangfire.Core {hangfireVersion} + Hangfire.PostgreSql {postgreSqlVersion}, {workers} workers, database {HangfireSystem.DatabaseName} on the same server, long polling");
        Console.WriteLine($"  idle background subtracted: strait {straitMeter.IdleCommitsPerSecond:F1} commits/s, hangfire {hangfireMeter.IdleCommitsPerSecond:F1} commits/s (server running)");
        Console.WriteLine();
        Console.WriteLine($"  {"system",-9} {"round",5} {"jobs",6} {"done",6} {"secs",7} {"runs/s",7}   {"→dispatch p50/p95/p99 ms",-28} {"→completed p50/p95/p99 ms",-28} {"commits/run",11} {"(raw)",7} {"msgs/run",8} {"deliv/run",9}");
        foreach (var r in results)
        {
            Console.WriteLine($"  {r.System,-9} {r.Round,5} {r.Jobs,6} {r.Completed,6} {r.Seconds,7:F1} {r.RunsPerSecond,7:F1}   {Percentiles(r.ToDispatch),-28} {Percentiles(r.ToCompleted),-28} "
                + $"{r.Cost.CommitsPerRun,11:F2} {r.Cost.RawCommitsPerRun,7:F2} {Optional(r.Cost.MessagesPerRun),8} {Optional(r.Cost.DeliveriesPerRun),9}");
        }

        Console.WriteLine();
        Console.WriteLine($"  summary: strait round {s.Round} {s.RunsPerSecond:F1} runs/s, hangfire round {h.Round} {h.RunsPerSecond:F1} runs/s, ratio {Ratio(s, h):F2}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"strait_runs_per_sec={s.RunsPerSecond:F1} hangfire_runs_per_sec={h.RunsPerSecond:F1} ratio={Ratio(s, h):F2} p50_ms={P(s.ToCompleted, 50):F1} p99_ms={P(s.ToCompleted, 99):F1} commits_per_run={s.Cost.CommitsPerRun:F2}"));
    }

    private static double Ratio(RoundResult strait, RoundResult hangfire) =>
        hangfire.RunsPerSecond > 0 ? strait.RunsPerSecond / hangfire.RunsPerSecond : double.NaN;

    private static double P(IReadOnlyList<double> sorted, double percentile) => LatencyStatistics.Percentile(sorted, percentile);

    private static string Percentiles(IReadOnlyList<double> sorted) => $"{P(sorted, 50):F1} / {P(sorted, 95):F1} / {P(sorted, 99):F1}";

    private static string Optional(double? value) => value is { } v ? v.ToString("F2", CultureInfo.CurrentCulture) : "—";
}
