using Strait.Dispatcher.Data;

namespace Strait.Dispatcher.Admission;

/// <summary>What one admission pass did: the attempts to start, whether a job lock was busy, and the next rate-limit reopening.</summary>
public sealed record AdmissionPass(IReadOnlyList<DispatchQueueEntry> Admitted, bool LockBusy, DateTimeOffset? NextRetryAt);

