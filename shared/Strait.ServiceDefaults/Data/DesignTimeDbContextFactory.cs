using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Strait.ServiceDefaults.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build a service's model without starting the service.</summary>
public abstract class DesignTimeDbContextFactory<TContext>(string schema, Func<DbContextOptions<TContext>, TContext> create)
    : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args) =>
        create(DatabaseExtensions.CreateOptions<TContext>("Host=localhost;Database=strait", schema));
}
