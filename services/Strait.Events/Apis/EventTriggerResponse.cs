using System.Text.Json;
using System.Text.Json.Serialization;
using Strait.Events.Data;

namespace Strait.Events.Apis;

/// <summary>EventTrigger as routes.md §4.6 shows it.</summary>
public sealed record EventTriggerResponse(
    Guid Id,
    string EventKey,
    string ProjectId,
    string SourceType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? JobRunId,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? ResponsePayload,
    int TimeoutSecs,
    DateTimeOffset RequestedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ReceivedAt,
    DateTimeOffset ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NotifyUrl,
    string TriggerType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SentBy)
{
    public static EventTriggerResponse From(EventTrigger t) => new(t.Id, t.EventKey, t.ProjectId, t.SourceType, t.RunId, t.Status,
        t.ResponsePayload?.RootElement.Clone(), t.TimeoutSecs, t.RequestedAt, t.ReceivedAt, t.ExpiresAt, t.Error, t.NotifyUrl, t.TriggerType, t.SentBy);
}
