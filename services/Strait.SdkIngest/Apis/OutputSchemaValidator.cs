using NJsonSchema;
using NJsonSchema.Generation;
using NJsonSchema.References;
using NJsonSchema.Validation;

namespace Strait.SdkIngest.Apis;

/// <summary>
/// Checks an <c>/output</c> value against the JSON Schema sent with it. Only references inside the schema itself are
/// followed: a <c>$ref</c> to a file or URL is refused, so a schema can never make the service read files or call out.
/// </summary>
public static class OutputSchemaValidator
{
    public const int MaxDetails = 20;

    /// <summary>Null when the value matches, else the failures as <c>value/path: reason</c> details (at most <see cref="MaxDetails"/>).</summary>
    public static async Task<IReadOnlyList<string>?> ValidateAsync(string schemaJson, string valueJson, CancellationToken ct)
    {
        // Boolean schemas: true accepts everything, false nothing.
        switch (schemaJson.Trim())
        {
            case "true":
                return null;
            case "false":
                return ["value: the schema (false) accepts no value"];
        }

        JsonSchema schema;
        try
        {
            schema = await JsonSchema.FromJsonAsync(schemaJson, "", s => new LocalReferencesOnly(s), ct);
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
        Flatten(errors, details);
        return details.Distinct(StringComparer.Ordinal).Take(MaxDetails).ToList();
    }

    private static void Flatten(IEnumerable<ValidationError> errors, List<string> details)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var nested in child.Errors.Values)
                {
                    Flatten(nested, details);
                }
            }

            var path = error.Path is { Length: > 0 } p ? p.TrimStart('#') : "";
            details.Add($"value{path}: {error.Kind}");
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
