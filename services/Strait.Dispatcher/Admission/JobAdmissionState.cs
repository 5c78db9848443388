namespace Strait.Dispatcher.Admission;

/// <summary>
/// One job's slot usage as read under its admission lock: attempts holding a slot (in total and per concurrency key)
/// and recent dispatch starts for the rate limit. Admissions made during a pass are added as they are decided.
/// </summary>
public sealed class JobAdmissionState
{
    private readonly Dictionary<string, int> activeByKey;
    private readonly List<DateTimeOffset> starts;

    public JobAdmissionState(int active, IReadOnlyDictionary<string, int>? activeByKey = null, IEnumerable<DateTimeOffset>? recentStarts = null)
    {
        Active = active;
        this.activeByKey = new Dictionary<string, int>(activeByKey ?? new Dictionary<string, int>(), StringComparer.Ordinal);
        starts = [.. (recentStarts ?? []).Order()];
    }

    public int Active { get; private set; }

    public int ActiveFor(string key) => activeByKey.GetValueOrDefault(key);

    /// <summary>Starts after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> StartsAfter(DateTimeOffset since) => starts.Where(s => s > since).ToList();

    public void RecordAdmission(string? concurrencyKey, DateTimeOffset at)
    {
        Active++;
        if (!string.IsNullOrEmpty(concurrencyKey))
        {
            activeByKey[concurrencyKey] = ActiveFor(concurrencyKey) + 1;
        }

        starts.Add(at);
    }
}
