namespace Strait.EndToEndTests;

/// <summary>What a SIGTERM to the app host left behind.</summary>
public sealed record ShutdownReport(int ExitCode, IReadOnlyList<string> RunningBefore, IReadOnlyList<string> LeftAfter, string OutputTail)
{
    /// <summary>The app host, PostgreSQL, RabbitMQ, four services and the gateway, at least.</summary>
    public const int ExpectedMinimumProcesses = 8;

    public bool IsClean => ExitCode == 0 && RunningBefore.Count >= ExpectedMinimumProcesses && LeftAfter.Count == 0;

    public override string ToString() =>
        $"exit code {ExitCode}; {RunningBefore.Count} processes before:\n  {string.Join("\n  ", RunningBefore)}\n"
        + $"still running after:\n  {string.Join("\n  ", LeftAfter)}\n{OutputTail}";
}
