using System.Reflection;
using MassTransit;

namespace Strait.Messaging;

/// <summary>
/// Every lifecycle contract carries <c>RunId</c>; making it the message's correlation id lets the partitioner serialize a
/// run's messages in each process, and lets the broker-side tools follow one run.
/// </summary>
public static class RunMessageCorrelation
{
    private static readonly Lazy<bool> Configured = new(ConfigureAll);

    public static void Configure() => _ = Configured.Value;

    private static bool ConfigureAll()
    {
        var useCorrelationId = typeof(RunMessageCorrelation).GetMethod(nameof(UseRunId), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var type in typeof(Strait.Contracts.Runs.DispatchRun).Assembly.GetExportedTypes())
        {
            if (type.IsClass && type.GetProperty("RunId") is { PropertyType: var idType } && idType == typeof(Guid))
            {
                useCorrelationId.MakeGenericMethod(type).Invoke(null, null);
            }
        }

        return true;
    }

    private static void UseRunId<T>() where T : class
    {
        var runId = typeof(T).GetProperty("RunId")!.GetGetMethod()!.CreateDelegate<Func<T, Guid>>();
        MessageCorrelation.UseCorrelationId<T>(message => runId(message));
    }
}
