using System.Collections.Concurrent;
using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Generation;
using NJsonSchema.References;
using NJsonSchema.Validation;

namespace Strait.ServiceDefaults.Json;

/// <summary>
/// Checks a JSON value against a JSON Schema (SDK <c>/output</c> schemas, job <c>payload_schema</c> and
/// <c>result_schema</c>). Only references inside the schema itself are followed: a <c>$ref</c> to a file or URL is
/// refused, so a schema can never make the service read files or call out.
/// </summary>
public static class JsonSchemaValidator
{
    public const int MaxDetails = 20;
    private const int MaxCachedSchemas = 512;

    // Job schemas are checked on every trigger: parsing one costs far more than validating against it.
    private static readonly ConcurrentDictionary<string, JsonSchema> Parsed = new(StringComparer.Ordinal);

    /// <summary>Null when the schema is usable, else why not (as a detail, <c>field: reason</c>).</summary>
    public static async Task<string?> SchemaProblemAsync(string field, string schemaJson, CancellationToken ct)
    {
        if (schemaJson.Trim() is "true" or "false")
        {
            return null;
        }

        try
        {
            using (var document = JsonDocument.Parse(schemaJson))
            {
                if (UnknownType(document.RootElement) is { } type)
                {
                    return $"{field}: not a usable JSON Schema (unknown type '{type}')";
                }
            }

            _ = await ParseAsync(schemaJson, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"{field}: not a usable JSON Schema ({e.Message})";
        }
    }

    /// <summary>
    /// Null when the value matches, else the failures as <c>subject/path: reason</c> details (at most
    /// <see cref="MaxDetails"/>). <paramref name="cache"/> keeps the parsed schema for the next call (stored schemas).
    /// </summary>
    public static async Task<IReadOnlyList<string>?> ValidateAsync(string schemaJson, string valueJson, CancellationToken ct,
        string subject = "value", bool cache = false)
    {
        // Boolean schemas: true accepts everything, false nothing.
        switch (schemaJson.Trim())
        {
            case "true":
                return null;
            case "false":
                return [$"{subject}: the schema (false) accepts no value"];
        }

        JsonSchema schema;
        try
        {
            schema = cache ? await CachedAsync(schemaJson, ct) : await ParseAsync(schemaJson, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [$"schema: not a usable JSON Schema ({e.Message})"];
        }

        var errors = schema.Validate(valueJson);
        if (errors.Count == 0)
        {
            return null;
        }

        var details = new List<string>();
        Flatten(errors, details, subject);
        return details.Distinct(StringComparer.Ordinal).Take(MaxDetails).ToList();
    }

    private static async Task<JsonSchema> CachedAsync(string schemaJson, CancellationToken ct)
    {
        if (Parsed.TryGetValue(schemaJson, out var schema))
        {
            return schema;
        }

        schema = await ParseAsync(schemaJson, ct);
        if (Parsed.Count >= MaxCachedSchemas)
        {
            Parsed.Clear();
        }

        Parsed[schemaJson] = schema;
        return schema;
    }

    // NJsonSchema loads a misspelt type ("strnig") as "any type": the typo would silently accept everything.
    private static readonly HashSet<string> Types = ["null", "boolean", "object", "array", "number", "string", "integer"];
    private static readonly HashSet<string> DataKeywords = ["enum", "const", "default", "examples"];

    private static string? UnknownType(JsonElement schema)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in schema.EnumerateObject())
                {
                    if (property.Name == "type" && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Array)
                    {
                        var names = property.Value.ValueKind == JsonValueKind.String
                            ? [property.Value.GetString()]
                            : property.Value.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText());
                        if (names.FirstOrDefault(n => n is null || !Types.Contains(n)) is { } unknown)
                        {
                            return unknown;
                        }
                    }
                    else if (!DataKeywords.Contains(property.Name) && UnknownType(property.Value) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            case JsonValueKind.Array:
                return schema.EnumerateArray().Select(UnknownType).FirstOrDefault(t => t is not null);
            default:
                return null;
        }
    }

    private static Task<JsonSchema> ParseAsync(string schemaJson, CancellationToken ct) =>
        JsonSchema.FromJsonAsync(schemaJson, "", s => new LocalReferencesOnly(s), ct);

    private static void Flatten(IEnumerable<ValidationError> errors, List<string> details, string subject)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var nested in child.Errors.Values)
                {
                    Flatten(nested, details, subject);
                }
            }

            var path = error.Path is { Length: > 0 } p ? p.TrimStart('#') : "";
            details.Add($"{subject}{path}: {error.Kind}");
        }
    }

    private sealed class LocalReferencesOnly(JsonSchema root) : JsonReferenceResolver(new JsonSchemaAppender(root, new DefaultTypeNameGenerator()))
    {
        public override Task<IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("$ref to a file is not allowed");

        public override Task<IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("$ref to a URL is not allowed");
    }
}
