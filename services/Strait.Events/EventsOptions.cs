using System.ComponentModel.DataAnnotations;

namespace Strait.Events;

/// <summary>The events service's settings (section <c>Strait:Events</c>).</summary>
public sealed class EventsOptions
{
    public const string SectionName = "Strait:Events";

    /// <summary>
    /// A project's waiting event triggers at most (semantics.md §9 <c>max_active_event_triggers</c>): one more wait is
    /// answered 429 until some are received, time out or are canceled.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxActiveTriggersPerProject { get; set; } = 10_000;
}
