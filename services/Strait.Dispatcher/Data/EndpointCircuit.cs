namespace Strait.Dispatcher.Data;

/// <summary>
/// The circuit breaker of one endpoint of one project (semantics.md §4.2): consecutive failed calls, and while
/// <see cref="OpenedUntil"/> lies ahead no attempt to it is admitted. Opening resets the count, so the circuit closes
/// again when the period ends.
/// </summary>
public sealed class EndpointCircuit
{
    public required string ProjectId { get; init; }
    public required string EndpointUrl { get; init; }
    public int ConsecutiveFailures { get; set; }
    public DateTimeOffset? OpenedUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
