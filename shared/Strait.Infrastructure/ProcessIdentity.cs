namespace Strait.Infrastructure;

/// <summary>A process pinned by pid and start time, so a recycled pid is never mistaken for it.</summary>
internal sealed record ProcessIdentity(int Id, ulong StartTime)
{
    public bool IsRunning => PosixProcess.StartTimeOf(Id) == StartTime && PosixProcess.IsRunning(Id);

    public void Signal(int signal)
    {
        if (IsRunning)
        {
            PosixProcess.Signal(Id, signal);
        }
    }
}
