using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Strait.ServiceDefaults.Data;

namespace Strait.Dispatcher.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
public sealed class DispatcherDbContextFactory : IDesignTimeDbContextFactory<DispatcherDbContext>
{
    public DispatcherDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<DispatcherDbContext>)DatabaseExtensions
            .Configure(new DbContextOptionsBuilder<DispatcherDbContext>(), "Host=localhost;Database=strait", DispatcherDbContext.Schema).Options);
}
