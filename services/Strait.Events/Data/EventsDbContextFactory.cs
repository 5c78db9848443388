using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Strait.ServiceDefaults.Data;

namespace Strait.Events.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
public sealed class EventsDbContextFactory : IDesignTimeDbContextFactory<EventsDbContext>
{
    public EventsDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<EventsDbContext>)DatabaseExtensions
            .Configure(new DbContextOptionsBuilder<EventsDbContext>(), "Host=localhost;Database=strait", EventsDbContext.Schema).Options);
}
