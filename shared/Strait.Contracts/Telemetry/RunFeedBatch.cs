namespace Strait.Contracts.Telemetry;

/// <summary>
/// The live feed: what job code reported (log lines, progress, stream chunks), published by sdk-ingest after it has
/// stored the entries, one message per write batch rather than one per call. The events service fans it out to live
/// listeners (SSE). Status changes are not repeated here: listeners take them from <c>RunStatusChanged</c>.
/// Delivery is best effort by design: the stored rows are the record, the feed is for whoever is watching now.
/// </summary>
public sealed record RunFeedBatch
{
    public required IReadOnlyList<RunFeedEntry> Entries { get; init; }
}

/// <summary>One item of the live feed.</summary>
public sealed record RunFeedEntry
{
    public required Guid RunId { get; init; }
    public required string ProjectId { get; init; }

    /// <summary><see cref="RunFeedKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The entry as the read API shows it, as JSON text (a log event, a progress report, a stream chunk).</summary>
    public required string Data { get; init; }

    public required DateTimeOffset At { get; init; }
}

/// <summary>The kinds of <see cref="RunFeedEntry"/>.</summary>
public static class RunFeedKinds
{
    public const string Log = "log";
    public const string Progress = "progress";
    public const string Stream = "stream";
}
