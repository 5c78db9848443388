using System.Text.Json.Serialization;

namespace Strait.ServiceDefaults.Http;

/// <summary>The list envelope: <c>{"data": [...], "next_cursor": "...", "has_more": true}</c>.</summary>
public sealed record Page<T>(
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("next_cursor"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NextCursor,
    [property: JsonPropertyName("has_more")] bool HasMore);
