using System.Diagnostics;
using System.Text.RegularExpressions;
using Strait.Benchmarks.Lifecycle;

namespace Strait.Benchmarks.Compare;

/// <summary>
/// RabbitMQ's own counters (<c>rabbit_global_counters</c>, what its Prometheus endpoint exports), read with
/// <c>rabbitmqctl eval</c> against the app host's private node: messages the broker received from publishers, and
/// deliveries it made to consumers. The management plugin is not needed (the app host does not enable it).
/// </summary>
public sealed partial class BrokerMessages
{
    private readonly string rabbitmqctl;
    private readonly string nodeName;
    private readonly string home;

    private BrokerMessages(string rabbitmqctl, string nodeName, string home)
    {
        this.rabbitmqctl = rabbitmqctl;
        this.nodeName = nodeName;
        this.home = home;
    }

    public readonly record struct Reading(long Published, long Delivered);

    /// <summary>The node the app host started under its data folder, or null (attached to another broker, or no rabbitmqctl).</summary>
    public static BrokerMessages? Locate(StraitSystem system)
    {
        var folder = PostgresCommits.ServerFolder(system, "rabbitmq");
        var nodeFile = folder is null ? null : Path.Combine(folder, "node");
        var rabbitmqctl = new[] { "/usr/lib/rabbitmq/bin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            .Select(directory => Path.Combine(directory, "rabbitmqctl"))
            .FirstOrDefault(File.Exists);
        if (nodeFile is null || !File.Exists(nodeFile) || rabbitmqctl is null)
        {
            return null;
        }

        var nodeName = File.ReadAllText(nodeFile).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return new BrokerMessages(rabbitmqctl, nodeName, Path.Combine(folder!, "home"));
    }

    public async Task<Reading> ReadAsync(CancellationToken ct)
    {
        const string expression =
            "M = rabbit_global_counters:overview(), "
            + "R = maps:get(messages_received_total, maps:get([{protocol,amqp091}], M)), "
            + "D = lists:sum([maps:get(messages_delivered_total, V, 0) || {K, V} <- maps:to_list(M), lists:member({protocol,amqp091}, K)]), "
            + "{counters, R, D}.";
        var start = new ProcessStartInfo(rabbitmqctl, ["-n", nodeName, "eval", expression])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // The node's Erlang cookie is in the HOME the app host gave it.
            Environment = { ["HOME"] = home },
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        var error = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var match = Counters().Match(output);
        return match.Success
            ? new Reading(long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"rabbitmqctl eval answered: {output}{error}");
    }

    [GeneratedRegex(@"\{counters,(\d+),(\d+)\}")]
    private static partial Regex Counters();
}
