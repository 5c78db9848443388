namespace Strait.Messaging;

/// <summary>Tuning for the messaging pieces; bound from the <c>Strait:Messaging</c> configuration section.</summary>
public sealed class StraitMessagingOptions
{
    public const string SectionName = "Strait:Messaging";

    /// <summary>The safety-net poll of the outbox when no commit has woken the delivery service.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether this process sends committed outbox rows. A replica that only writes may leave delivery to the others,
    /// which are woken by NOTIFY (default true).
    /// </summary>
    public bool DeliverOutbox { get; set; } = true;

    /// <summary>How long one outbox batch may wait for the broker before it is abandoned and retried.</summary>
    public TimeSpan OutboxSendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Rows sent per outbox delivery transaction.</summary>
    public int OutboxBatchSize { get; set; } = 100;

    /// <summary>The longest the scheduler sleeps without looking at the table (other replicas may add timers).</summary>
    public TimeSpan SchedulerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Due timers sent per scheduler transaction.</summary>
    public int SchedulerBatchSize { get; set; } = 100;

    /// <summary>How long a consumed message's inbox row is kept to recognise redeliveries.</summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromMinutes(30);

    // The interval lists default to null rather than to arrays: the configuration binder merges a
    // configured array into an existing one index by index, which would keep stray default entries.

    /// <summary>In-memory retries (short, transient faults: lock timeouts, serialization failures, broker blips).</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    /// <summary>Redeliveries through the durable scheduler after the retries; then the message goes to the error queue.</summary>
    public TimeSpan[]? RedeliveryIntervals { get; set; }

    internal TimeSpan[] EffectiveRetryIntervals =>
        RetryIntervals ?? [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];

    internal TimeSpan[] EffectiveRedeliveryIntervals =>
        RedeliveryIntervals ?? [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>
    /// Prefix of every exchange and queue name. Empty in a normal installation; tests and installations that share a
    /// broker set one each.
    /// </summary>
    public string EntityPrefix { get; set; } = "";

    /// <summary>Messages each receive endpoint takes from the broker and consumes at once; null keeps MassTransit's default.</summary>
    public int? PrefetchCount { get; set; }

    /// <summary>Partitions per receive endpoint, keyed by correlation id, so one instance's messages run one at a time per process.</summary>
    public int PartitionCount { get; set; } = 16;
}
