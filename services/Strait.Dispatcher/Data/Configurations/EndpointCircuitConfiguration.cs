using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Dispatcher.Data.Configurations;

public sealed class EndpointCircuitConfiguration : IEntityTypeConfiguration<EndpointCircuit>
{
    public void Configure(EntityTypeBuilder<EndpointCircuit> builder)
    {
        builder.ToTable("endpoint_circuits");
        builder.HasKey(c => new { c.ProjectId, c.EndpointUrl });
        builder.Property(c => c.ProjectId).HasMaxLength(64);
        builder.Property(c => c.EndpointUrl).HasMaxLength(2048);
        builder.HasIndex(c => c.OpenedUntil);
    }
}
