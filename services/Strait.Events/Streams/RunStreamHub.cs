using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Strait.Contracts.Runs;
using Strait.Contracts.Telemetry;

namespace Strait.Events.Streams;

/// <summary>
/// The live listeners of this replica, per run. Every replica receives every lifecycle and feed message (its own
/// temporary queue) and hands each to the listeners it holds; a message for a run nobody here watches costs a lookup.
/// </summary>
public sealed class RunStreamHub
{
    private static readonly HashSet<string> TerminalStatuses =
        ["completed", "failed", "timed_out", "crashed", "system_failed", "canceled", "expired", "dead_letter"];

    private readonly ConcurrentDictionary<Guid, ImmutableListeners> listeners = new();

    public static bool IsTerminal(string status) => TerminalStatuses.Contains(status);

    public RunStreamListener Subscribe(Guid runId, bool chunks)
    {
        var listener = new RunStreamListener(runId, chunks, Unsubscribe);
        listeners.AddOrUpdate(runId, _ => new ImmutableListeners([listener]), (_, current) => current.With(listener));
        return listener;
    }

    /// <summary>Whether any stream of any run is listening on this replica.</summary>
    public bool HasListeners => !listeners.IsEmpty;

    public int ListenerCount(Guid runId) => listeners.TryGetValue(runId, out var current) ? current.Items.Length : 0;

    public void Publish(RunStatusChanged change)
    {
        if (!listeners.TryGetValue(change.RunId, out var current))
        {
            return;
        }

        // A status passed through on the way (a quick call: queued → executing → completed) is a frame of its own.
        foreach (var step in change.Steps())
        {
            PublishOne(current, step);
        }
    }

    private static void PublishOne(ImmutableListeners current, RunStatusChanged change)
    {
        var json = Write(w =>
        {
            w.WriteString("type", "status_change");
            w.WriteString("run_id", change.RunId);
            if (change.From is not null)
            {
                w.WriteString("from", change.From);
            }

            w.WriteString("to", change.To);
            if (change.Error is not null)
            {
                w.WriteString("error", change.Error);
            }

            w.WriteString("timestamp", Timestamp(change.At));
        });
        current.Offer(new RunStreamFrame(json, IsChunk: false, IsFinal: IsTerminal(change.To)));
    }

    public void Publish(RunFeedBatch batch)
    {
        foreach (var entry in batch.Entries)
        {
            if (listeners.TryGetValue(entry.RunId, out var current))
            {
                current.Offer(ToFrame(entry));
            }
        }
    }

    /// <summary>
    /// A log or progress entry becomes <c>{type:"event", event_type, run_id, level, message, data, timestamp}</c>, a stream
    /// entry <c>{type:"stream_chunk", run_id, chunk, stream_id, done, timestamp}</c> (routes.md §3.2).
    /// </summary>
    public static RunStreamFrame ToFrame(RunFeedEntry entry)
    {
        using var document = TryParse(entry.Data);
        var data = document?.RootElement is { ValueKind: JsonValueKind.Object } root ? root : (JsonElement?)null;
        var isChunk = entry.Kind == RunFeedKinds.Stream;
        var json = Write(w =>
        {
            w.WriteString("type", isChunk ? "stream_chunk" : "event");
            if (!isChunk)
            {
                w.WriteString("event_type", Text(data, "type") ?? entry.Kind);
            }

            w.WriteString("run_id", entry.RunId);
            if (isChunk)
            {
                Copy(w, data, "chunk");
                w.WriteString("stream_id", Text(data, "stream_id") ?? "default");
                w.WriteBoolean("done", data?.TryGetProperty("done", out var done) == true && done.ValueKind == JsonValueKind.True);
            }
            else
            {
                w.WriteString("level", Text(data, "level") ?? "info");
                w.WriteString("message", Text(data, "message") ?? "");
                if (data?.TryGetProperty("data", out var inner) == true)
                {
                    w.WritePropertyName("data");
                    inner.WriteTo(w);
                }
                else if (data is null && document is not null)
                {
                    w.WritePropertyName("data");
                    document.RootElement.WriteTo(w);
                }
            }

            w.WriteString("timestamp", Timestamp(entry.At));
        });
        return new RunStreamFrame(json, isChunk, IsFinal: false);
    }

    private void Unsubscribe(RunStreamListener listener)
    {
        while (listeners.TryGetValue(listener.RunId, out var current))
        {
            var remaining = current.Without(listener);
            var done = remaining.Items.Length == 0
                ? listeners.TryRemove(new KeyValuePair<Guid, ImmutableListeners>(listener.RunId, current))
                : listeners.TryUpdate(listener.RunId, remaining, current);
            if (done)
            {
                return;
            }
        }
    }

    private static JsonDocument? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement? data, string name) =>
        data?.TryGetProperty(name, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Copy(Utf8JsonWriter w, JsonElement? data, string name)
    {
        w.WritePropertyName(name);
        if (data?.TryGetProperty(name, out var value) == true)
        {
            value.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Copy-on-write, so publishing never locks against subscribing.</summary>
    private sealed record ImmutableListeners(RunStreamListener[] Items)
    {
        public ImmutableListeners With(RunStreamListener listener) => new([.. Items, listener]);

        public ImmutableListeners Without(RunStreamListener listener) => new(Items.Where(l => l != listener).ToArray());

        public void Offer(RunStreamFrame frame)
        {
            foreach (var listener in Items)
            {
                listener.Offer(frame);
            }
        }
    }
}
