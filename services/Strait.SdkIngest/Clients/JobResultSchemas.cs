using System.Collections.Concurrent;

namespace Strait.SdkIngest.Clients;

/// <summary>
/// Jobs' <c>result_schema</c>, which runs-api owns, for the <c>/complete</c> check. Each job's schema (or its absence) is
/// kept for <see cref="CacheFor"/>: a result is checked against the schema as it was at most that long ago, and most
/// completions cost no call to runs-api.
/// </summary>
public sealed class JobResultSchemas(RunsApiClient runs, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private const int MaxCached = 10_000;
    private static readonly ConcurrentDictionary<Guid, (string? Schema, DateTimeOffset Until)> Cache = new();

    public async Task<string?> GetAsync(Guid jobId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (Cache.TryGetValue(jobId, out var entry) && entry.Until > now)
        {
            return entry.Schema;
        }

        var schema = await runs.GetResultSchemaAsync(jobId, ct);
        if (Cache.Count >= MaxCached)
        {
            Cache.Clear();
        }

        Cache[jobId] = (schema, now + CacheFor);
        return schema;
    }
}
