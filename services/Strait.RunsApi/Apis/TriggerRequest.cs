using System.Text.Json;

namespace Strait.RunsApi.Apis;

/// <summary>The body of <c>POST /v1/jobs/{id}/trigger</c> and one item of a bulk trigger.</summary>
public sealed partial record TriggerRequest(
    JsonElement? Payload,
    Dictionary<string, string>? Tags,
    DateTimeOffset? ScheduledAt,
    int? Priority,
    bool? DryRun,
    int? TtlSecs,
    string? ConcurrencyKey,
    string? IdempotencyKey);
