using System.Collections.Frozen;
using System.Text;

namespace Strait.RunsApi.StateMachines;

/// <summary>
/// Run statuses as the API writes them (<c>timed_out</c>) and as the state machine names its states (<c>TimedOut</c>).
/// The column holds the API form, so SQL, indexes and filters read naturally.
/// </summary>
public static class RunStatuses
{
    public const string Delayed = "delayed";
    public const string Queued = "queued";
    public const string Executing = "executing";
    public const string Waiting = "waiting";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Crashed = "crashed";
    public const string SystemFailed = "system_failed";
    public const string Canceled = "canceled";
    public const string Expired = "expired";
    public const string DeadLetter = "dead_letter";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Delayed, Queued, "dequeued", Executing, Waiting, Paused, "replay_staged",
        Completed, Failed, TimedOut, Crashed, SystemFailed, Canceled, Expired, DeadLetter,
    };

    public static readonly IReadOnlySet<string> Terminal = new HashSet<string>(StringComparer.Ordinal)
    {
        Completed, Failed, TimedOut, Crashed, SystemFailed, Canceled, Expired, DeadLetter,
    };

    // Every read and write of a run converts its state name; the known ones are converted once.
    private static readonly FrozenDictionary<string, string> ByStateName = All.ToFrozenDictionary(ToPascalCase, s => s, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, string> ByStatus = All.ToFrozenDictionary(s => s, ToPascalCase, StringComparer.Ordinal);

    public static string FromStateName(string stateName) => ByStateName.TryGetValue(stateName, out var status) ? status : ToSnakeCase(stateName);

    public static string ToStateName(string status) => ByStatus.TryGetValue(status, out var state) ? state : ToPascalCase(status);

    private static string ToSnakeCase(string stateName)
    {
        var builder = new StringBuilder(stateName.Length + 4);
        foreach (var c in stateName)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static string ToPascalCase(string status) =>
        string.Concat(status.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
}
