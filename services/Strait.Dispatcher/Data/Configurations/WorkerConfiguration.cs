using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Strait.Dispatcher.Data.Configurations;

public sealed class WorkerConfiguration : IEntityTypeConfiguration<Worker>
{
    public void Configure(EntityTypeBuilder<Worker> builder)
    {
        builder.ToTable("workers");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.ProjectId).HasMaxLength(64);
        builder.Property(w => w.Name).HasMaxLength(255);
        builder.Property(w => w.Queue).HasMaxLength(63);
        builder.Property(w => w.Status).HasMaxLength(16);
        builder.HasIndex(w => new { w.ProjectId, w.ConnectedAt });
    }
}
