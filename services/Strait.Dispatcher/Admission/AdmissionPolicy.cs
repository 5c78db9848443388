using System.Globalization;
using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Admission;

/// <summary>
/// The admission rule (semantics.md §6.1–6.3, §6.6), free of I/O: priority DESC then run creation ASC; a run waits
/// while its job is at <c>max_concurrency</c>, its concurrency key at <c>max_concurrency_per_key</c>, or the job has
/// started <c>rate_limit_max</c> dispatches in the trailing <c>rate_limit_window_secs</c>. The limits are the ones
/// stamped on each run at trigger; 0 means unlimited.
/// </summary>
public static class AdmissionPolicy
{
    public static IEnumerable<DispatchQueueEntry> InAdmissionOrder(IEnumerable<DispatchQueueEntry> candidates) =>
        candidates.OrderByDescending(c => c.Priority).ThenBy(c => c.RunCreatedAt).ThenBy(c => c.RunId);

    /// <summary>
    /// Decides the candidates in admission order against their jobs' states (which it updates), admitting at most
    /// <paramref name="capacity"/>; candidates after the capacity is used up are left out of the result. A candidate whose
    /// endpoint's circuit is open (<paramref name="circuitOpenUntil"/>) waits until it closes.
    /// </summary>
    public static IReadOnlyList<(DispatchQueueEntry Entry, AdmissionDecision Decision)> Plan(IEnumerable<DispatchQueueEntry> candidates,
        IReadOnlyDictionary<Guid, JobAdmissionState> jobs, DateTimeOffset now, int capacity,
        Func<DispatchQueueEntry, DateTimeOffset?>? circuitOpenUntil = null)
    {
        var plan = new List<(DispatchQueueEntry, AdmissionDecision)>();
        var admitted = 0;
        foreach (var candidate in InAdmissionOrder(candidates))
        {
            if (admitted >= capacity)
            {
                break;
            }

            if (!jobs.TryGetValue(candidate.JobId, out var job))
            {
                continue;
            }

            var decision = circuitOpenUntil?.Invoke(candidate) is { } until && until > now
                ? AdmissionDecision.Wait("circuit_open until " + FormatUntil(until), until)
                : Decide(candidate, job, now);
            if (decision.Admit)
            {
                job.RecordAdmission(candidate.ConcurrencyKey, now);
                admitted++;
            }

            plan.Add((candidate, decision));
        }

        return plan;
    }

    public static AdmissionDecision Decide(DispatchQueueEntry candidate, JobAdmissionState job, DateTimeOffset now)
    {
        if (candidate.MaxConcurrency > 0 && job.Active >= candidate.MaxConcurrency)
        {
            return AdmissionDecision.Wait(string.Create(CultureInfo.InvariantCulture, $"job_concurrency {job.Active}/{candidate.MaxConcurrency}"));
        }

        var key = candidate.ConcurrencyKey;
        if (candidate.MaxConcurrencyPerKey > 0 && !string.IsNullOrEmpty(key) && job.ActiveFor(key) >= candidate.MaxConcurrencyPerKey)
        {
            return AdmissionDecision.Wait(string.Create(CultureInfo.InvariantCulture,
                $"key_concurrency {key} {job.ActiveFor(key)}/{candidate.MaxConcurrencyPerKey}"));
        }

        if (candidate.RateLimitMax > 0 && candidate.RateLimitWindowSecs > 0)
        {
            var window = TimeSpan.FromSeconds(candidate.RateLimitWindowSecs);
            var inWindow = job.StartsAfter(now - window);
            if (inWindow.Count >= candidate.RateLimitMax)
            {
                // Admission reopens when enough of the oldest starts have left the window to get below the limit.
                var until = inWindow[inWindow.Count - candidate.RateLimitMax] + window;
                return AdmissionDecision.Wait("rate_limited until " + FormatUntil(until), until);
            }
        }

        return AdmissionDecision.Admitted;
    }

    /// <summary>RFC 3339 UTC to the second, rounded up so the stated time is never before the actual one.</summary>
    public static string FormatUntil(DateTimeOffset until)
    {
        var utc = until.ToUniversalTime();
        var seconds = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
        if (seconds < utc)
        {
            seconds = seconds.AddSeconds(1);
        }

        return seconds.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
