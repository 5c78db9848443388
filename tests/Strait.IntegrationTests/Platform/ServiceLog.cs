using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Strait.IntegrationTests.Platform;

/// <summary>
/// The latest warnings and errors the in-process services logged, kept so that a wait that times out can say what the
/// services complained about meanwhile (a faulted consumer, a delivery retried) instead of only the state it saw.
/// </summary>
public static class ServiceLog
{
    private const int Capacity = 200;
    private static readonly ConcurrentQueue<string> Lines = new();

    /// <summary>The last <paramref name="count"/> lines, oldest first, as one block for an exception message.</summary>
    public static string Describe(int count = 40)
    {
        var lines = Lines.ToArray();
        return lines.Length == 0
            ? "no service warnings"
            : "latest service warnings:\n" + string.Join("\n", lines.Skip(Math.Max(0, lines.Length - count)));
    }

    internal static void Add(string line)
    {
        Lines.Enqueue(line);
        while (Lines.Count > Capacity && Lines.TryDequeue(out _))
        {
        }
    }

    /// <summary>A logger provider for one service host; <paramref name="service"/> tags its lines.</summary>
    public sealed class Provider(string service) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(service, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(string service, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var error = exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]";
            Add($"{DateTime.UtcNow:HH:mm:ss.fff} {service} {logLevel} {category}: {formatter(state, exception)}{error}");
        }
    }
}
