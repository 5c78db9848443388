using Strait.Infrastructure;

namespace Strait.IntegrationTests.Platform;

/// <summary>
/// One PostgreSQL server and one broker for the whole test run, whichever collection asks first; each user isolates itself
/// (its own database, its own projects). A missing database or broker fails the run, it never skips a test.
/// </summary>
public static class SharedInfrastructure
{
    private static readonly Lazy<Task<IInfrastructure>> Instance = new(StartAsync);

    public static Task<IInfrastructure> GetAsync() => Instance.Value;

    private static async Task<IInfrastructure> StartAsync()
    {
        var infrastructure = await LocalInfrastructure.StartAsync(new InfrastructureOptions());
        // xunit has no assembly-wide teardown; the process exit is the last moment to stop what we started.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => infrastructure.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return infrastructure;
    }
}
