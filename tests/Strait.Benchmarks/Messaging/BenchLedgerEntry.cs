namespace Strait.Benchmarks.Messaging;

/// <summary>The handler's own row, committed with its outbox message.</summary>
public class BenchLedgerEntry
{
    public long Id { get; set; }

    public int Sequence { get; set; }
}
