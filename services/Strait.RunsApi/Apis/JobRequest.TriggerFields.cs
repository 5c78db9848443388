namespace Strait.RunsApi.Apis;

/// <summary>The trigger-path job fields (routes.md §3.1): execution window, debounce and batching.</summary>
public sealed partial record JobRequest
{
    public string? ExecutionWindowCron { get; init; }
    public int? DebounceWindowSecs { get; init; }
    public int? BatchWindowSecs { get; init; }
    public int? BatchMaxSize { get; init; }
}
