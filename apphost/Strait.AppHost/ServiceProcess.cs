using System.Diagnostics;
using Strait.Infrastructure;

namespace Strait.AppHost;

/// <summary>
/// One service kept running: started, its output forwarded with its name, restarted with exponential back-off
/// (1 s doubling to 30 s; back to 1 s after a minute of good health) when it exits on its own, and stopped
/// gracefully (SIGTERM, then the whole tree killed after ten seconds).
/// </summary>
public sealed class ServiceProcess
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly Func<ProcessStartInfo> startInfo;
    private readonly ChildLedger ledger;
    private readonly TimeProvider time;
    private readonly TaskCompletionSource stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private Process? current;
    private Task supervision = Task.CompletedTask;

    public ServiceProcess(string name, Uri url, Func<ProcessStartInfo> startInfo, ChildLedger ledger, TimeProvider time)
    {
        Name = name;
        Url = url;
        this.startInfo = startInfo;
        this.ledger = ledger;
        this.time = time;
    }

    public string Name { get; }

    public Uri Url { get; }

    public void Start() => supervision = SuperviseAsync();

    public async Task StopAsync()
    {
        Process? process;
        lock (gate)
        {
            stopping.TrySetResult();
            process = current;
        }

        if (process is not null && !process.HasExited)
        {
            PosixProcess.Signal(process.Id, PosixProcess.SigTerm);
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Say($"did not stop within {StopGrace.TotalSeconds} s; killing it");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await supervision;
        ledger.Forget(Name);
    }

    /// <summary>Kills at once, for when the app host itself is exiting without a chance to stop in order.</summary>
    public void Kill()
    {
        lock (gate)
        {
            stopping.TrySetResult();
            if (current is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task SuperviseAsync()
    {
        var delay = FirstDelay;
        while (true)
        {
            Process process;
            lock (gate)
            {
                if (stopping.Task.IsCompleted)
                {
                    return;
                }

                current = process = ChildProcessFactory.StartWithPrefixedOutput(startInfo(), Name);
            }

            ledger.Record(Name, process.Id);
            var started = time.GetTimestamp();
            await process.WaitForExitAsync(CancellationToken.None);
            if (stopping.Task.IsCompleted)
            {
                return;
            }

            if (time.GetElapsedTime(started) > HealthyRun)
            {
                delay = FirstDelay;
            }

            Say($"exited unexpectedly (code {process.ExitCode}); restarting in {delay.TotalSeconds:0} s");
            if (await Task.WhenAny(Task.Delay(delay, time), stopping.Task) == stopping.Task)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    private void Say(string text) => ConsoleOutput.Line(ConsoleOutput.AppHost, $"{Name} {text}");
}
