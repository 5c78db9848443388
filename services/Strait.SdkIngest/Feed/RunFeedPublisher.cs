using System.Diagnostics.Metrics;
using System.Threading.Channels;
using MassTransit;
using Strait.Contracts.Telemetry;

namespace Strait.SdkIngest.Feed;

/// <summary>
/// Publishes the live feed (<see cref="RunFeedBatch"/>) after the rows it describes are committed, best effort, off the
/// request path. Why not the bus outbox: the feed is for whoever watches now and the stored rows are the record, so a
/// lost feed message costs a live listener a line it can re-read from <c>/events</c>; an outbox row per log batch would
/// double the database writes of the hottest path and, while the broker is down, pile up rows to replay to listeners
/// who have long gone. So the SDK call hands the entries to a bounded in-memory queue and returns; one background loop
/// publishes, merging what queued meanwhile into one message. A full queue drops its oldest entries, a failed or slow
/// publish is given up after <see cref="PublishTimeout"/>; both are counted and logged.
/// </summary>
public sealed class RunFeedPublisher : BackgroundService
{
    public const int QueueCapacity = 10_000;
    public const int MaxEntriesPerMessage = 1_000;
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    private readonly IBus bus;
    private readonly ILogger<RunFeedPublisher> logger;
    private readonly Channel<RunFeedEntry> queue;
    private readonly Counter<long> published;
    private readonly Counter<long> failed;
    private long dropped;
    private long reportedDropped;

    public RunFeedPublisher(IBus bus, ILogger<RunFeedPublisher> logger, IMeterFactory meters)
    {
        this.bus = bus;
        this.logger = logger;
        queue = Channel.CreateBounded<RunFeedEntry>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref dropped));
        var meter = meters.Create("Strait.SdkIngest");
        published = meter.CreateCounter<long>("strait.sdk_ingest.feed.entries_published");
        failed = meter.CreateCounter<long>("strait.sdk_ingest.feed.entries_failed");
    }

    /// <summary>Entries dropped because the queue was full (the broker slower than the writers, or down).</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Queues committed entries for publishing; never blocks, never throws.</summary>
    public void Enqueue(IReadOnlyList<RunFeedEntry> entries)
    {
        foreach (var entry in entries)
        {
            queue.Writer.TryWrite(entry);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<RunFeedEntry>(MaxEntriesPerMessage);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxEntriesPerMessage && queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            ReportDrops();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(PublishTimeout);
            try
            {
                await bus.Publish(new RunFeedBatch { Entries = batch.ToArray() }, timeout.Token);
                published.Add(batch.Count);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failed.Add(batch.Count);
                logger.LogWarning(e, "live feed: {Count} entries not published (the rows are stored; live listeners miss them)", batch.Count);
            }
        }
    }

    private void ReportDrops()
    {
        var total = Dropped;
        if (total != reportedDropped)
        {
            logger.LogWarning("live feed: {Count} entries dropped so far because the publish queue was full", total);
            failed.Add(total - reportedDropped);
            reportedDropped = total;
        }
    }
}
