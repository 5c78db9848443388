namespace Strait.Dispatcher.Admission;

/// <summary>Admit now, or wait with a reason (and, for a rate limit, the moment waiting can end).</summary>
public sealed record AdmissionDecision(bool Admit, string? WaitReason, DateTimeOffset? RetryAt)
{
    public static readonly AdmissionDecision Admitted = new(true, null, null);

    public static AdmissionDecision Wait(string reason, DateTimeOffset? retryAt = null) => new(false, reason, retryAt);
}
