namespace Strait.IntegrationTests.Messaging;

/// <summary>A row written by a consumer or an API-style handler: the observable "effect" of a message.</summary>
public class LedgerEntry
{
    public long Id { get; set; }

    public Guid EntryId { get; set; }

    public DateTime Recorded { get; set; }
}
