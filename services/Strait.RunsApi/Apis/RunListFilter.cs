using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;

namespace Strait.RunsApi.Apis;

/// <summary>The filters of <c>GET /v1/runs</c> (routes.md §3.2), parsed and checked before any query runs.</summary>
public sealed record RunListFilter
{
    public IReadOnlyList<string> Statuses { get; init; } = [];
    public Guid? JobId { get; init; }
    public Guid? BatchId { get; init; }
    public string? TriggeredBy { get; init; }
    public string? TagKey { get; init; }
    public string? TagValue { get; init; }
    public string? MetadataKey { get; init; }
    public string? MetadataValue { get; init; }

    /// <summary>JSON the run's payload must contain (jsonb <c>@&gt;</c>).</summary>
    public string? PayloadContains { get; init; }

    public string? ErrorClass { get; init; }

    /// <summary>Reads the query; <paramref name="forcedStatus"/> replaces any status filter (the DLQ list).</summary>
    public static bool TryParse(IQueryCollection query, string? forcedStatus, out RunListFilter filter, out string? error)
    {
        filter = new RunListFilter();
        var statuses = forcedStatus is not null
            ? [forcedStatus]
            : query["status"].Concat(query["statuses"]).Concat(query["statuses[]"]).OfType<string>().Where(s => s.Length > 0).Distinct().ToList();
        if (statuses.Any(s => !RunStatuses.All.Contains(s)))
        {
            error = "status is invalid";
            return false;
        }

        if (!TryGuid(query, "job_id", out var jobId, out error) || !TryGuid(query, "batch_id", out var batchId, out error))
        {
            return false;
        }

        var tagKey = Value(query, "tag_key");
        var tagValue = Value(query, "tag_value");
        var metadataKey = Value(query, "metadata_key");
        var metadataValue = Value(query, "metadata_value");
        var payloadContains = Value(query, "payload_contains");
        error = (tagKey, tagValue, metadataKey, metadataValue) switch
        {
            (null, not null, _, _) => "tag_value requires tag_key",
            (_, _, null, not null) => "metadata_value requires metadata_key",
            (not null, _, not null, _) => "tag_key and metadata_key are mutually exclusive",
            _ => null,
        };
        if (error is null && payloadContains is not null && !IsJson(payloadContains))
        {
            error = "payload_contains must be valid JSON";
        }

        if (error is not null)
        {
            return false;
        }

        filter = new RunListFilter
        {
            Statuses = statuses,
            JobId = jobId,
            BatchId = batchId,
            TriggeredBy = Value(query, "triggered_by"),
            TagKey = tagKey,
            TagValue = tagValue,
            MetadataKey = metadataKey,
            MetadataValue = metadataValue,
            PayloadContains = payloadContains,
            ErrorClass = Value(query, "error_class"),
        };
        return true;
    }

    /// <summary>The project's runs that pass every filter (not yet ordered or paged).</summary>
    public IQueryable<RunState> Apply(RunsDbContext db, string projectId)
    {
        // The payload is stored as canonical JSON text; containment needs it as jsonb.
        var runs = PayloadContains is { } contained
            ? db.Runs.FromSql($"SELECT * FROM runs.runs WHERE CAST(payload AS jsonb) @> CAST({contained} AS jsonb)")
            : db.Runs;
        var query = runs.AsNoTracking().Where(r => r.ProjectId == projectId);
        if (Statuses.Count > 0)
        {
            var states = Statuses.Select(RunStatuses.ToStateName).ToList();
            query = query.Where(r => states.Contains(r.CurrentState));
        }

        if (JobId is { } jobId)
        {
            query = query.Where(r => r.JobId == jobId);
        }

        if (BatchId is { } batchId)
        {
            query = query.Where(r => r.BatchId == batchId);
        }

        if (TriggeredBy is { } triggeredBy)
        {
            query = query.Where(r => r.TriggeredBy == triggeredBy);
        }

        if (ErrorClass is { } errorClass)
        {
            query = query.Where(r => r.ErrorClass == errorClass);
        }

        if (TagKey is { } tagKey)
        {
            var pair = TagValue is { } tagValue ? Pair(tagKey, tagValue) : null;
            query = pair is not null
                ? query.Where(r => EF.Functions.JsonContains(r.Tags, pair))
                : query.Where(r => EF.Functions.JsonExists(r.Tags, tagKey));
        }

        if (MetadataKey is { } metadataKey)
        {
            var pair = MetadataValue is { } metadataValue ? Pair(metadataKey, metadataValue) : null;
            query = pair is not null
                ? query.Where(r => EF.Functions.JsonContains(r.Metadata, pair))
                : query.Where(r => EF.Functions.JsonExists(r.Metadata, metadataKey));
        }

        return query;
    }

    private static string Pair(string key, string value) => JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value });

    private static string? Value(IQueryCollection query, string name)
    {
        var value = query[name].ToString();
        return value.Length == 0 ? null : value;
    }

    private static bool TryGuid(IQueryCollection query, string name, out Guid? id, out string? error)
    {
        id = null;
        error = null;
        if (Value(query, name) is not { } text)
        {
            return true;
        }

        if (!Guid.TryParse(text, out var parsed))
        {
            error = $"{name} is invalid";
            return false;
        }

        id = parsed;
        return true;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
