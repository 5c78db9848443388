namespace Strait.RunsApi.Apis;

/// <summary>The trigger fields of debounce and batching (semantics §6.0, §6.5).</summary>
public sealed partial record TriggerRequest
{
    public const int MaxBufferKeyLength = 256;

    public string? DebounceKey { get; init; }
    public string? BatchKey { get; init; }

    internal void ValidateBufferKeys(List<string> errors, string prefix)
    {
        foreach (var (field, key) in new[] { ("debounce_key", DebounceKey), ("batch_key", BatchKey) })
        {
            if (key is { Length: > MaxBufferKeyLength })
            {
                errors.Add($"{prefix}{field}: must be at most {MaxBufferKeyLength} characters");
            }
        }
    }
}
