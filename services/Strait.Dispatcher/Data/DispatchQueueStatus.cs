namespace Strait.Dispatcher.Data;

/// <summary>The states of a <see cref="DispatchQueueEntry"/>. Both non-pending states hold a concurrency slot.</summary>
public static class DispatchQueueStatus
{
    /// <summary>Waiting for admission.</summary>
    public const string Pending = "pending";

    /// <summary>Admitted; its HTTP call is in flight on the lease owner.</summary>
    public const string Active = "active";

    /// <summary>The endpoint answered 202; the slot is held until the run leaves <c>executing</c>.</summary>
    public const string Accepted = "accepted";
}
