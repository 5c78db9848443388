using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Strait.ServiceDefaults.Data;

namespace Strait.SdkIngest.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
public sealed class IngestDbContextFactory : IDesignTimeDbContextFactory<IngestDbContext>
{
    public IngestDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<IngestDbContext>)DatabaseExtensions
            .Configure(new DbContextOptionsBuilder<IngestDbContext>(), "Host=localhost;Database=strait", IngestDbContext.Schema).Options);
}
