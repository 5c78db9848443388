using System.Runtime.InteropServices;
using Strait.AppHost;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(AppHostOptions.Usage);
    return 0;
}

AppHostOptions options;
try
{
    options = AppHostOptions.Parse(args);
}
catch (ArgumentException exception)
{
    await Console.Error.WriteLineAsync($"{exception.Message}\n{AppHostOptions.Usage}");
    return 2;
}

using var shutdown = new CancellationTokenSource();
void RequestShutdown(PosixSignalContext context)
{
    // Every signal stops everything in order, except a second Ctrl+C: that one gives up waiting (the next run cleans
    // up). A repeated SIGTERM is common (timeout(1) signals the child and then its whole group) and must not abandon.
    context.Cancel = context.Signal != PosixSignal.SIGINT || !shutdown.IsCancellationRequested;
    shutdown.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestShutdown);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestShutdown);
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, RequestShutdown);
return await new AppHost(options).RunAsync(shutdown.Token);
