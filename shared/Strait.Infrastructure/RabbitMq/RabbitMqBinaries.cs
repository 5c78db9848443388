namespace Strait.Infrastructure.RabbitMq;

/// <summary>Where <c>rabbitmq-server</c> is.</summary>
internal static class RabbitMqBinaries
{
    public const string InstallHint = "rabbitmq-server not found: apt-get install -y rabbitmq-server (the service need not run)";

    /// <summary>
    /// Debian's /usr/sbin/rabbitmq-server is a wrapper that switches account itself and sends the output to
    /// /var/log; the real script behind it lets us choose both, so it comes first.
    /// </summary>
    public static string? FindServer() =>
        new[] { "/usr/lib/rabbitmq/bin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"])
            .Select(directory => Path.Combine(directory, "rabbitmq-server"))
            .FirstOrDefault(File.Exists);

    /// <summary>The Erlang port mapper daemon, if it can be found.</summary>
    public static string? FindEpmd() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin"])
            .Select(directory => Path.Combine(directory, "epmd"))
            .FirstOrDefault(File.Exists);
}
