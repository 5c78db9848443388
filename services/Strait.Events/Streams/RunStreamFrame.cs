namespace Strait.Events.Streams;

/// <summary>One SSE <c>data:</c> frame for a run's listeners, serialised once however many listen.</summary>
/// <param name="Json">The frame's JSON object.</param>
/// <param name="IsChunk">A <c>stream_chunk</c> frame (only <c>/stream/chunks</c> shows it; <c>/stream</c> shows the rest).</param>
/// <param name="IsFinal">The run reached a terminal status: every listener of the run closes after this frame.</param>
public sealed record RunStreamFrame(string Json, bool IsChunk, bool IsFinal);
