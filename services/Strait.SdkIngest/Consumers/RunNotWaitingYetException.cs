namespace Strait.SdkIngest.Consumers;

/// <summary>An event for a run whose wait is not visible here yet: the message is retried.</summary>
public sealed class RunNotWaitingYetException(Guid runId, string? status)
    : Exception($"run {runId} is not waiting yet (local status {status ?? "unknown"})");
