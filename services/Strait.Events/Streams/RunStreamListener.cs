using System.Threading.Channels;

namespace Strait.Events.Streams;

/// <summary>
/// One open SSE response. Frames wait in a bounded buffer; a listener that cannot keep up loses its oldest frames rather
/// than slowing the feed for everyone (the stored rows stay the record).
/// </summary>
public sealed class RunStreamListener : IDisposable
{
    public const int BufferSize = 1024;

    private readonly Action<RunStreamListener> unsubscribe;
    private readonly Channel<RunStreamFrame> frames = Channel.CreateBounded<RunStreamFrame>(
        new BoundedChannelOptions(BufferSize) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public RunStreamListener(Guid runId, bool chunks, Action<RunStreamListener> unsubscribe)
    {
        RunId = runId;
        Chunks = chunks;
        this.unsubscribe = unsubscribe;
    }

    public Guid RunId { get; }

    /// <summary>Listens to <c>/stream/chunks</c> rather than <c>/stream</c>.</summary>
    public bool Chunks { get; }

    public ChannelReader<RunStreamFrame> Frames => frames.Reader;

    /// <summary>Offers <paramref name="frame"/> if it is for this kind of listener; the final frame always passes.</summary>
    public void Offer(RunStreamFrame frame)
    {
        if (frame.IsChunk == Chunks || frame.IsFinal)
        {
            frames.Writer.TryWrite(frame);
        }
    }

    public void Dispose()
    {
        frames.Writer.TryComplete();
        unsubscribe(this);
    }
}
