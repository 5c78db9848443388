using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Strait.SdkIngest.Clients;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Http;
using Strait.ServiceDefaults.Security;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// The run-state check every SDK telemetry call makes (semantics §5.2), against sdk-ingest's local run copy:
/// 404 unknown run, 410 terminal, 401 stale attempt, 409 not active.
/// </summary>
public static class SdkRunGuard
{
    public const string NotActiveMessage = "run is not active for this SDK token";

    public static readonly IReadOnlySet<string> TerminalStatuses = new HashSet<string>(StringComparer.Ordinal)
    {
        "completed", "failed", "timed_out", "crashed", "system_failed", "canceled", "expired", "dead_letter",
    };

    // The copy trails the saga by one message at most in the normal flow: a token is only minted at dispatch, so a
    // token for the copy's own attempt while the copy still says queued/dequeued means "executing, not yet seen here".
    private static readonly HashSet<string> AcceptedStatuses = new(StringComparer.Ordinal) { "executing", "waiting", "queued", "dequeued" };

    /// <summary>Null when the call may proceed, else the refusal's status and message.</summary>
    public static (int Status, string Message)? Evaluate(RunStateCopy? run, int tokenAttempt)
    {
        if (run is null)
        {
            return (StatusCodes.Status404NotFound, "run not found");
        }

        if (TerminalStatuses.Contains(run.Status))
        {
            return (StatusCodes.Status410Gone, $"run is already {run.Status}");
        }

        if (tokenAttempt != run.Attempt)
        {
            return (StatusCodes.Status401Unauthorized, "stale run token");
        }

        return AcceptedStatuses.Contains(run.Status) ? null : (StatusCodes.Status409Conflict, NotActiveMessage);
    }

    /// <summary>
    /// One indexed read of the local copy (seeded from runs-api when the run is not known here yet); <c>Refusal</c> is
    /// set when the call must stop.
    /// </summary>
    public static async Task<(RunStateCopy? Run, IResult? Refusal)> CheckAsync(IngestDbContext db, Guid runId, HttpContext http, CancellationToken ct)
    {
        var run = await http.RequestServices.GetRequiredService<RunCopySeeder>().FindAsync(db, runId, ct);
        var refusal = Evaluate(run, TokenAttempt(http));
        return refusal is { } r ? (null, ApiResults.Error(r.Status, r.Message)) : (run, null);
    }

    public static int TokenAttempt(HttpContext http) =>
        int.Parse(http.User.FindFirst(StraitClaimTypes.Attempt)!.Value, CultureInfo.InvariantCulture);
}
