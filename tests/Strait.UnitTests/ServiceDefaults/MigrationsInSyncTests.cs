using Microsoft.EntityFrameworkCore;
using Strait.Dispatcher.Data;
using Strait.Events.Data;
using Strait.Messaging.Entities;
using Strait.RunsApi.Data;
using Strait.RunsApi.StateMachines;
using Strait.SdkIngest.Data;

namespace Strait.UnitTests.ServiceDefaults;

/// <summary>
/// Every service's model, configured as the service configures it, matches its last migration's snapshot: a change to
/// an entity configuration (a column, an index) without its migration would never reach a database.
/// </summary>
public sealed class MigrationsInSyncTests
{
    public static TheoryData<string> Services => new() { "runs-api", "dispatcher", "events", "sdk-ingest" };

    // The services' design-time factories, as `dotnet ef migrations add` uses them; no connection is opened.
    static DbContext Create(string service) => service switch
    {
        "runs-api" => new RunsDbContextFactory().CreateDbContext([]),
        "dispatcher" => new DispatcherDbContextFactory().CreateDbContext([]),
        "events" => new EventsDbContextFactory().CreateDbContext([]),
        "sdk-ingest" => new IngestDbContextFactory().CreateDbContext([]),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void Service_ModelMatchesMigrations(string service)
    {
        using var db = Create(service);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void RunsApi_JobRunHistoryHasAnIndex()
    {
        using var db = Create("runs-api");
        var runs = db.Model.FindEntityType(typeof(RunState))!;
        Assert.Contains(runs.GetIndexes(), i => i.Properties.Select(p => p.Name).SequenceEqual(["JobId", "CreatedAt", "CorrelationId"]));
    }

    // The delivery scan (pending rows, oldest first) reads an index of the pending rows alone, in order; the legacy
    // consumer-keyed index leaves them out, so an insert writes one secondary entry, not two.
    [Theory]
    [MemberData(nameof(Services))]
    public void Service_OutboxIndexesSplitPendingFromConsumerRows(string service)
    {
        using var db = Create(service);
        var outbox = db.Model.FindEntityType(typeof(OutboxMessage))!;
        var pending = Assert.Single(outbox.GetIndexes(), i => i.GetDatabaseName() == "ix_outbox_messages_pending");
        Assert.Equal(["SequenceNumber"], pending.Properties.Select(p => p.Name));
        Assert.Equal("inbox_message_id IS NULL", pending.GetFilter());
        var consumer = Assert.Single(outbox.GetIndexes(), i => i.GetDatabaseName() == "ix_outbox_messages_inbox");
        Assert.Equal("inbox_message_id IS NOT NULL", consumer.GetFilter());
    }
}
