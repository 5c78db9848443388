using Microsoft.EntityFrameworkCore;
using Strait.Dispatcher.Data;
using Strait.Events.Data;
using Strait.RunsApi.Data;
using Strait.SdkIngest.Data;
using Strait.ServiceDefaults.Data;

namespace Strait.UnitTests.ServiceDefaults;

/// <summary>
/// Every service's model, configured as the service configures it, matches its last migration's snapshot: a change to
/// an entity configuration (a column, an index) without its migration would never reach a database.
/// </summary>
public class MigrationsInSyncTests
{
    static TContext Create<TContext>(Func<DbContextOptions<TContext>, TContext> create, string schema)
        where TContext : DbContext
    {
        // No connection is opened: comparing the model with the snapshot only needs the provider.
        var options = new DbContextOptionsBuilder<TContext>();
        DatabaseExtensions.Configure(options, "Host=unused", schema);
        return create(options.Options);
    }

    [Fact]
    public void RunsApi_ModelMatchesMigrations()
    {
        using var db = Create<RunsDbContext>(o => new RunsDbContext(o), RunsDbContext.Schema);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void Dispatcher_ModelMatchesMigrations()
    {
        using var db = Create<DispatcherDbContext>(o => new DispatcherDbContext(o), DispatcherDbContext.Schema);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void Events_ModelMatchesMigrations()
    {
        using var db = Create<EventsDbContext>(o => new EventsDbContext(o), EventsDbContext.Schema);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void SdkIngest_ModelMatchesMigrations()
    {
        using var db = Create<IngestDbContext>(o => new IngestDbContext(o), IngestDbContext.Schema);
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void RunsApi_JobRunHistoryHasAnIndex()
    {
        using var db = Create<RunsDbContext>(o => new RunsDbContext(o), RunsDbContext.Schema);
        var runs = db.Model.FindEntityType(typeof(Strait.RunsApi.StateMachines.RunState))!;
        Assert.Contains(runs.GetIndexes(), i => i.Properties.Select(p => p.Name).SequenceEqual(["JobId", "CreatedAt", "CorrelationId"]));
    }
}
