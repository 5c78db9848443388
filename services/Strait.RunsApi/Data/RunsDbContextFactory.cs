using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Strait.ServiceDefaults.Data;

namespace Strait.RunsApi.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
public sealed class RunsDbContextFactory : IDesignTimeDbContextFactory<RunsDbContext>
{
    public RunsDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<RunsDbContext>)DatabaseExtensions
            .Configure(new DbContextOptionsBuilder<RunsDbContext>(), "Host=localhost;Database=strait", RunsDbContext.Schema).Options);
}
